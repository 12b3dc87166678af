-- Every surface form of a product type (canonical name, singular, plural, synonyms), one row per
-- (product_type, surface), for matching TYPE spans.

with canonical_names as (
    select product_type, product_type as surface, 'canonical' as surface_form
    from {{ ref('catalog_product_types') }}
),

other_forms as (
    select product_type, surface, form as surface_form
    from {{ ref('catalog_product_type_synonyms') }}
),

all_surfaces as (
    select * from canonical_names
    union all
    select * from other_forms
),

normalized_surfaces as (
    select
        lower(trim(product_type)) as product_type,
        lower({{ qu_collapse_whitespace('surface') }}) as surface,
        surface_form,
        case surface_form
            when 'canonical' then 0 when 'singular' then 1 when 'plural' then 2 else 3
        end as surface_form_rank
    from all_surfaces
    where surface is not null
),

best_form_per_surface as (
    select
        *,
        row_number() over (partition by product_type, surface order by surface_form_rank) as form_preference
    from normalized_surfaces
    where surface <> ''
)

select
    product_type,
    surface,
    surface_form,
    {{ qu_array_length(qu_split_to_array('surface', ' ')) }} as n_tokens
from best_form_per_surface
where form_preference = 1
