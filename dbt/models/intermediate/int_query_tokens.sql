-- One row per token of each distinct logged query text: the whitespace split with a 0-based index,
-- exactly what query_understanding.text.tokenize gives (query_text is already single-spaced).
-- The weak labels are laid on this grid.

with distinct_queries as (
    select distinct query_text
    from {{ ref('stg_query_logs') }}
),

query_token_arrays as (
    select
        query_text,
        {{ qu_split_to_array('query_text', ' ') }} as tokens
    from distinct_queries
)

select
    q.query_text,
    {{ qu_unnest_index('tok') }} as token_index,
    {{ qu_unnest_value('tok') }} as token,
    lower({{ qu_unnest_value('tok') }}) as token_lower
from query_token_arrays as q
{{ qu_unnest_join('q.tokens', 'tok') }}
