-- The merged catalog's other surface forms of product types (columns of the seed
-- product_type_synonyms): the seed rows of the types in catalog_product_types (all of them in
-- catalog_mode merge). A feed type that is a seed surface form was resolved to its seed type
-- (catalog_products), so no new type collides with a seed surface; new types get no surface
-- forms of their own.

select
    lower(trim(synonyms.product_type)) as product_type,
    lower(trim(synonyms.surface)) as surface,
    lower(trim(synonyms.form)) as form
from {{ ref('product_type_synonyms') }} as synonyms
inner join {{ ref('catalog_product_types') }} as types
    on types.product_type = lower(trim(synonyms.product_type))
