-- The merged catalog's product types (columns of the seed product_types, plus n_products and
-- origin). catalog_mode merge: every seed type plus the feed's new ones; replace: only the types
-- the feed's products have (catalog_products resolves a seed surface form to its seed type).
-- A seed type keeps its seed category and vertical (the seed wins a conflict). A new type gets
-- the feed's category (its most frequent one; var catalog_fallback_category when the feed gives
-- none) and the most common vertical of the seed types of that category, else var
-- catalog_fallback_vertical.

{%- set mode = qu_catalog_mode() %}

with seed_types as (
    select
        lower(trim(product_type)) as product_type,
        lower(trim(category)) as category,
        lower(trim(vertical)) as vertical
    from {{ ref('product_types') }}
),

feed_type_categories as (
    select
        product_type,
        feed_category,
        count(*) as n_rows,
        row_number() over (
            partition by product_type
            order by case when feed_category is null then 1 else 0 end, count(*) desc, feed_category
        ) as category_preference
    from {{ ref('catalog_products') }}
    group by product_type, feed_category
),

feed_types as (
    select
        product_type,
        max(case when category_preference = 1 then feed_category end) as feed_category,
        sum(n_rows) as n_products
    from feed_type_categories
    group by product_type
),

vertical_of_seed_category as (
    select category, vertical
    from (
        select
            category,
            vertical,
            row_number() over (partition by category order by count(*) desc, vertical) as vertical_preference
        from seed_types
        group by category, vertical
    ) as ranked
    where vertical_preference = 1
),

new_types as (
    select
        feed.product_type,
        coalesce(feed.feed_category, '{{ var("catalog_fallback_category", "other") }}') as category,
        feed.n_products
    from feed_types as feed
    left join seed_types as seed
        on seed.product_type = feed.product_type
    where seed.product_type is null
),

merged as (
    select
        seed.product_type,
        seed.category,
        seed.vertical,
        coalesce(feed.n_products, 0) as n_products,
        case when feed.product_type is null then 'seed' else 'seed+feed' end as origin
    from seed_types as seed
    left join feed_types as feed
        on feed.product_type = seed.product_type
    {%- if mode == 'replace' %}
    where feed.product_type is not null
    {%- endif %}

    union all

    select
        new_types.product_type,
        new_types.category,
        coalesce(by_category.vertical, '{{ var("catalog_fallback_vertical", "home") }}') as vertical,
        new_types.n_products,
        'feed' as origin
    from new_types
    left join vertical_of_seed_category as by_category
        on by_category.category = new_types.category
)

select
    product_type,
    category,
    vertical,
    cast(n_products as {{ dbt.type_int() }}) as n_products,
    origin
from merged
