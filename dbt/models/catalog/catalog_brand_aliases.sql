-- The merged catalog's brand aliases and misspellings (columns of the seed brand_aliases, plus
-- origin): the seed rows of the brands in catalog_brands, then the aliases file's rows (their
-- brand resolved like a feed brand: a seed alias names its seed brand). One owner per alias, the
-- seed first (the seed wins a conflict), then the alphabetically first brand; an alias that is
-- itself a brand of the catalog, or names a brand the catalog lacks, is dropped (the rules of
-- query_understanding/seed_rules.py).

with seed_aliases as (
    select
        lower(trim(brand)) as brand,
        lower(trim(alias)) as alias,
        lower(trim(alias_kind)) as alias_kind,
        0 as source_rank,
        'seed' as origin
    from {{ ref('brand_aliases') }}
),

-- the seed brand a name or seed alias stands for (the seed rules give every surface one owner)
seed_brand_of_surface as (
    select surface, min(brand) as brand
    from (
        select lower(trim(brand)) as surface, lower(trim(brand)) as brand from {{ ref('brands') }}
        union all
        select lower({{ qu_collapse_whitespace('display_name') }}), lower(trim(brand)) from {{ ref('brands') }}
        union all
        select alias, brand from seed_aliases
    ) as names
    group by surface
),

feed_aliases as (
    select
        coalesce(seed.brand, aliases.brand) as brand,
        aliases.alias,
        aliases.alias_kind,
        1 as source_rank,
        'feed' as origin
    from {{ ref('stg_catalog_aliases') }} as aliases
    left join seed_brand_of_surface as seed
        on seed.surface = aliases.brand
    where aliases.alias is not null and aliases.alias <> ''
        and aliases.brand is not null and aliases.brand <> ''
),

candidates as (
    select * from seed_aliases
    union all
    select * from feed_aliases
),

valid_candidates as (
    select candidates.*
    from candidates
    inner join {{ ref('catalog_brands') }} as owner
        on owner.brand = candidates.brand
    left join {{ ref('catalog_brands') }} as clash
        on clash.brand = candidates.alias
    where clash.brand is null
),

one_owner_per_alias as (
    select
        *,
        row_number() over (partition by alias order by source_rank, brand, alias_kind) as owner_preference
    from valid_candidates
)

select brand, alias, alias_kind, origin
from one_owner_per_alias
where owner_preference = 1
