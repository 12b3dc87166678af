-- The merged catalog's colors, patterns and finishes (columns of the seed colors, plus n_products
-- and origin). catalog_mode merge: every seed color plus the feed's new ones; replace: only the
-- colors the feed's products have. A seed color keeps its seed family and kind (the seed wins a
-- conflict); a new one is a `color` whose family is the seed family of its last word when that
-- word is a seed color ("midnight navy" -> navy's family, blue), else its last word.

{%- set mode = qu_catalog_mode() %}

with seed_colors as (
    select
        lower(trim(color)) as color,
        nullif(lower(trim(family)), '') as family,
        lower(trim(kind)) as kind
    from {{ ref('colors') }}
),

feed_colors as (
    select color, count(*) as n_products
    from {{ ref('catalog_products') }}
    where color is not null and color <> ''
    group by color
),

new_colors as (
    select
        feed.color,
        regexp_replace(feed.color, '^.* ', '') as last_word,
        feed.n_products
    from feed_colors as feed
    left join seed_colors as seed
        on seed.color = feed.color
    where seed.color is null
),

merged as (
    select
        seed.color,
        seed.family,
        seed.kind,
        coalesce(feed.n_products, 0) as n_products,
        case when feed.color is null then 'seed' else 'seed+feed' end as origin
    from seed_colors as seed
    left join feed_colors as feed
        on feed.color = seed.color
    {%- if mode == 'replace' %}
    where feed.color is not null
    {%- endif %}

    union all

    select
        new_colors.color,
        coalesce(family_of_word.family, new_colors.last_word) as family,
        'color' as kind,
        new_colors.n_products,
        'feed' as origin
    from new_colors
    left join seed_colors as family_of_word
        on family_of_word.color = new_colors.last_word
)

select
    color,
    family,
    kind,
    cast(n_products as {{ dbt.type_int() }}) as n_products,
    origin
from merged
