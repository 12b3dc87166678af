-- Every way a brand is written in queries: its canonical name, its aliases ("levis", "tnf") and
-- its known misspellings ("addidas"), one row per (brand, surface), so matching is a simple join.
-- From the merged catalog (seeds + product feed, models/catalog/).

with canonical_names as (
    select brand, brand as surface, 'canonical' as surface_kind
    from {{ ref('catalog_brands') }}
),

display_names as (
    select brand, display_name as surface, 'canonical' as surface_kind
    from {{ ref('catalog_brands') }}
),

aliases_and_misspellings as (
    select brand, alias as surface, alias_kind as surface_kind
    from {{ ref('catalog_brand_aliases') }}
),

all_surfaces as (
    select * from canonical_names
    union all
    select * from display_names
    union all
    select * from aliases_and_misspellings
),

normalized_surfaces as (
    select
        lower(trim(brand)) as brand,
        lower({{ qu_collapse_whitespace('surface') }}) as surface,
        surface_kind,
        case surface_kind when 'canonical' then 0 when 'alias' then 1 else 2 end as surface_kind_rank
    from all_surfaces
    where surface is not null
),

-- a surface listed twice for one brand keeps its most trustworthy kind
best_kind_per_surface as (
    select
        *,
        row_number() over (partition by brand, surface order by surface_kind_rank) as kind_preference
    from normalized_surfaces
    where surface <> ''
)

select
    brand,
    surface,
    surface_kind,
    surface_kind = 'misspelling' as is_misspelling,
    {{ qu_array_length(qu_split_to_array('surface', ' ')) }} as n_tokens,
    length(surface) as surface_length
from best_kind_per_surface
where kind_preference = 1
