-- Every n-gram (n = 1..4) of each distinct query, lowercased and single-spaced: the spans that can
-- be matched against the clicked product's attributes and the catalog's surface forms.

with tokens_with_following as (
    select
        query_text,
        token_index,
        token_lower as token_1,
        lead(token_lower, 1) over (partition by query_text order by token_index) as token_2,
        lead(token_lower, 2) over (partition by query_text order by token_index) as token_3,
        lead(token_lower, 3) over (partition by query_text order by token_index) as token_4
    from {{ ref('int_query_tokens') }}
),

ngrams as (
    select query_text, token_index as start_index, 1 as n_tokens,
        token_1 as ngram
    from tokens_with_following

    union all

    select query_text, token_index, 2,
        token_1 || ' ' || token_2
    from tokens_with_following
    where token_2 is not null

    union all

    select query_text, token_index, 3,
        token_1 || ' ' || token_2 || ' ' || token_3
    from tokens_with_following
    where token_3 is not null

    union all

    select query_text, token_index, 4,
        token_1 || ' ' || token_2 || ' ' || token_3 || ' ' || token_4
    from tokens_with_following
    where token_4 is not null
)

select
    query_text,
    start_index,
    start_index + n_tokens as end_index,
    n_tokens,
    ngram
from ngrams
