-- The merged catalog's brands (columns of the seed brands, plus n_products and origin).
-- catalog_mode merge: every seed brand plus the feed's new ones; replace: only the brands the
-- feed's products have (catalog_products resolves a seed alias to its seed brand). A seed brand
-- keeps its seed display name and vertical (the seed wins a conflict). A new brand's display name
-- is its most frequent casing in the feed (among those that spell the key, ties alphabetical);
-- its vertical the most common vertical of its products' types (ties alphabetical).

{%- set mode = qu_catalog_mode() %}

with seed_brands as (
    select
        lower(trim(brand)) as brand,
        display_name,
        lower(trim(vertical)) as vertical
    from {{ ref('brands') }}
),

products as (
    select * from {{ ref('catalog_products') }}
),

feed_brands as (
    select brand, count(*) as n_products
    from products
    group by brand
),

display_names as (
    select brand, brand_display
    from (
        select
            brand,
            brand_display,
            row_number() over (
                partition by brand
                order by case when lower(brand_display) = brand then 0 else 1 end, count(*) desc, brand_display
            ) as display_preference
        from products
        group by brand, brand_display
    ) as ranked
    where display_preference = 1
),

verticals as (
    select brand, vertical
    from (
        select
            products.brand,
            types.vertical,
            row_number() over (
                partition by products.brand
                order by count(*) desc, types.vertical
            ) as vertical_preference
        from products
        inner join {{ ref('catalog_product_types') }} as types
            on types.product_type = products.product_type
        group by products.brand, types.vertical
    ) as ranked
    where vertical_preference = 1
),

merged as (
    select
        seed.brand,
        seed.display_name,
        seed.vertical,
        coalesce(feed.n_products, 0) as n_products,
        case when feed.brand is null then 'seed' else 'seed+feed' end as origin
    from seed_brands as seed
    left join feed_brands as feed
        on feed.brand = seed.brand
    {%- if mode == 'replace' %}
    where feed.brand is not null
    {%- endif %}

    union all

    select
        feed.brand,
        display_names.brand_display as display_name,
        verticals.vertical,
        feed.n_products,
        'feed' as origin
    from feed_brands as feed
    left join seed_brands as seed
        on seed.brand = feed.brand
    left join display_names
        on display_names.brand = feed.brand
    left join verticals
        on verticals.brand = feed.brand
    where seed.brand is null
)

select
    brand,
    display_name,
    vertical,
    cast(n_products as {{ dbt.type_int() }}) as n_products,
    origin
from merged
