-- The merged catalog's other surface forms of product types (columns of the seed
-- product_type_synonyms): the seed rows of the types in catalog_product_types (all of them in
-- catalog_mode merge), plus the English plural of each new feed type, so that the weak labeler
-- and the gazetteer find "hoodies" for a feed's "hoodie" as they do for seed types. A feed type
-- that is a seed surface form was resolved to its seed type (catalog_products), so no new type
-- collides with a seed surface. The plural rule is deliberately small: "-ss/-x/-ch/-sh" + es,
-- consonant + "y" -> "ies", another "-s" is taken as already plural (jeans, leggings) and gets
-- none, everything else + s; a plural that is already some type or surface is left out.

with seed_forms as (
    select
        lower(trim(synonyms.product_type)) as product_type,
        lower(trim(synonyms.surface)) as surface,
        lower(trim(synonyms.form)) as form
    from {{ ref('product_type_synonyms') }} as synonyms
    inner join {{ ref('catalog_product_types') }} as types
        on types.product_type = lower(trim(synonyms.product_type))
),

new_type_plurals as (
    select
        product_type,
        case
            when product_type like '%ss' or product_type like '%x'
                or product_type like '%ch' or product_type like '%sh'
                then product_type || 'es'
            when product_type like '%y'
                and substr(product_type, length(product_type) - 1, 1) not in ('a', 'e', 'i', 'o', 'u')
                then substr(product_type, 1, length(product_type) - 1) || 'ies'
            when product_type like '%s' then null
            else product_type || 's'
        end as surface,
        'plural' as form
    from {{ ref('catalog_product_types') }}
    where origin = 'feed'
)

select product_type, surface, form
from seed_forms

union all

select plurals.product_type, plurals.surface, plurals.form
from new_type_plurals as plurals
where plurals.surface is not null
    and not exists (select 1 from seed_forms where seed_forms.surface = plurals.surface)
    and not exists (
        select 1 from {{ ref('catalog_product_types') }} as types where types.product_type = plurals.surface
    )
