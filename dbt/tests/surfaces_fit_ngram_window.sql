-- Matching looks at query n-grams of 1 to 4 tokens (int_query_ngrams): a catalog surface longer
-- than that can never be matched. Warns, listing them.
{{ config(severity='warn') }}

select 'brand' as surface_of, brand as value, surface, n_tokens
from {{ ref('stg_brand_surfaces') }}
where n_tokens > 4

union all

select 'color', color, surface, n_tokens
from {{ ref('stg_color_surfaces') }}
where n_tokens > 4

union all

select 'type', product_type, surface, n_tokens
from {{ ref('stg_type_surfaces') }}
where n_tokens > 4
