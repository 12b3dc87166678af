-- The merged catalog's brand -> category pairs (columns of the seed brand_categories, plus
-- origin): catalog_mode merge: the seed rows plus the categories the feed's products put their
-- brands in; replace: the feed's pairs only. A product's category is its type's category in
-- catalog_product_types (for a seed type the seed's, whatever the feed says), so every category
-- has product types and every brand and category of the catalog has a pair.

{%- set mode = qu_catalog_mode() %}

with feed_pairs as (
    select distinct products.brand, types.category
    from {{ ref('catalog_products') }} as products
    inner join {{ ref('catalog_product_types') }} as types
        on types.product_type = products.product_type
),

{%- if mode == 'merge' %}

seed_pairs as (
    select distinct lower(trim(brand)) as brand, lower(trim(category)) as category
    from {{ ref('brand_categories') }}
),

all_pairs as (
    select
        coalesce(seed.brand, feed.brand) as brand,
        coalesce(seed.category, feed.category) as category,
        case
            when feed.brand is null then 'seed'
            when seed.brand is null then 'feed'
            else 'seed+feed'
        end as origin
    from seed_pairs as seed
    full outer join feed_pairs as feed
        on feed.brand = seed.brand
        and feed.category = seed.category
)

{%- else %}

all_pairs as (
    select brand, category, 'feed' as origin
    from feed_pairs
)

{%- endif %}

select brand, category, origin
from all_pairs
