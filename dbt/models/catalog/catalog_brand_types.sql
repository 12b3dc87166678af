-- Which brand makes which product type: every brand x type of a category in
-- catalog_brand_categories, with n_products = the feed's products of that brand and type (0 for
-- a pair only the categories imply). Every pair the feed has is in it (a product's category is a
-- category of its brand). Read by pipeline.catalog_tables.load_brand_type_counts.

with products_per_pair as (
    select brand, product_type, count(*) as n_products
    from {{ ref('catalog_products') }}
    group by brand, product_type
)

select
    pairs.brand,
    types.product_type,
    cast(coalesce(products_per_pair.n_products, 0) as {{ dbt.type_int() }}) as n_products
from {{ ref('catalog_brand_categories') }} as pairs
inner join {{ ref('catalog_product_types') }} as types
    on types.category = pairs.category
left join products_per_pair
    on products_per_pair.brand = pairs.brand
    and products_per_pair.product_type = types.product_type
