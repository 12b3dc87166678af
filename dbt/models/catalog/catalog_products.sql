-- The feed's products with their catalog keys resolved to the merged catalog's canonical ones,
-- the product facts that click logs (stg_query_logs) and the catalog_* models read:
--   brand: a seed brand (its key or display name) as is; a seed alias or misspelling -> its seed
--          brand ("levis" -> levi's); an alias in the aliases file -> its brand (itself resolved
--          the same way); else itself (a new brand).
--   product_type: a seed type as is; a seed surface form (plural, singular, synonym) -> its
--          canonical seed type ("sneakers" -> the type that lists it); else itself (a new type).
--   color: as written (lowercased); a new color is added by catalog_colors.
-- Rows without product_id, brand or product_type (which the tests on stg_catalog_products fail
-- on) are left out. The same resolution holds in catalog_mode replace: it decides which entity a
-- feed row names; the mode only decides which seed entities are kept besides.

with feed as (
    select *
    from {{ ref('stg_catalog_products') }}
    where product_id is not null
        and brand is not null and brand <> ''
        and product_type is not null and product_type <> ''
),

seed_brand_names as (
    select lower(trim(brand)) as surface, lower(trim(brand)) as brand, 0 as surface_rank
    from {{ ref('brands') }}
    union all
    select lower({{ qu_collapse_whitespace('display_name') }}), lower(trim(brand)), 0
    from {{ ref('brands') }}
    union all
    select lower(trim(alias)), lower(trim(brand)), 1
    from {{ ref('brand_aliases') }}
),

seed_brand_of_surface as (
    select surface, min(brand) as brand
    from (
        select
            *,
            min(surface_rank) over (partition by surface) as best_rank
        from seed_brand_names
    ) as ranked
    where surface_rank = best_rank
    group by surface
),

-- an alias of the aliases file names the brand its line gives (a seed alias of a seed brand
-- resolved to that seed brand); an alias listed for several brands goes to the first one
feed_brand_of_alias as (
    select
        aliases.alias as surface,
        min(coalesce(seed.brand, aliases.brand)) as brand
    from {{ ref('stg_catalog_aliases') }} as aliases
    left join seed_brand_of_surface as seed
        on seed.surface = aliases.brand
    where aliases.alias is not null and aliases.alias <> ''
        and aliases.brand is not null and aliases.brand <> ''
    group by aliases.alias
),

seed_type_names as (
    select lower(trim(product_type)) as surface, lower(trim(product_type)) as product_type, 0 as surface_rank
    from {{ ref('product_types') }}
    union all
    select lower(trim(surface)), lower(trim(product_type)), 1
    from {{ ref('product_type_synonyms') }}
),

seed_type_of_surface as (
    select surface, min(product_type) as product_type
    from (
        select
            *,
            min(surface_rank) over (partition by surface) as best_rank
        from seed_type_names
    ) as ranked
    where surface_rank = best_rank
    group by surface
)

select
    feed.product_id,
    feed.title,
    coalesce(seed_brand.brand, feed_alias.brand, feed.brand) as brand,
    feed.brand as feed_brand,
    feed.brand_display,
    feed.color,
    coalesce(seed_type.product_type, feed.product_type) as product_type,
    feed.product_type as feed_product_type,
    feed.category as feed_category,
    feed.source_file
from feed
left join seed_brand_of_surface as seed_brand
    on seed_brand.surface = feed.brand
left join feed_brand_of_alias as feed_alias
    on feed_alias.surface = feed.brand
left join seed_type_of_surface as seed_type
    on seed_type.surface = feed.product_type
