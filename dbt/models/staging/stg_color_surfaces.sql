-- Colors (and patterns, finishes) as surface forms to match in queries; multi-word colors
-- ("navy blue") carry their token count so they can be matched as n-grams.

with colors as (
    select
        lower(trim(color)) as color,
        family,
        kind
    from {{ ref('catalog_colors') }}
    where color is not null
)

select
    color,
    {{ qu_collapse_whitespace('color') }} as surface,
    family,
    kind,
    {{ qu_array_length(qu_split_to_array(qu_collapse_whitespace('color'), ' ')) }} as n_tokens
from colors
