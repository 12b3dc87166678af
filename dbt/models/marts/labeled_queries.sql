-- The table models train and evaluate on (contract: docs/data_model.md): weakly labelled logged
-- queries (source 'synthetic') and human-annotated ones (source 'annotated'), one row per distinct
-- query text and source, with the split and the slice flags.
-- Split rule: annotated rows keep their file's split (else hash); synthetic rows that mention a
-- held-out brand go to test; the rest by md5 bucket of query_norm (< 80 train, < 90 dev, else test).
-- A logged text that is also annotated keeps only its annotated row: the human labels win, and one
-- normalized text never sits in two splits.

with synthetic_queries as (
    select * from {{ ref('int_synthetic_queries') }}
),

annotated_queries as (
    select * from {{ ref('int_annotated_queries') }}
),

annotated_norms as (
    select distinct query_norm from annotated_queries
),

synthetic_rows as (
    select
        s.query_text,
        s.query_norm,
        s.tokens,
        s.tags,
        'synthetic' as source,
        case
            when s.has_unseen_brand then 'test'
            else {{ qu_split_from_hash('s.query_norm') }}
        end as split,
        s.n_clicks,
        s.has_unseen_brand,
        s.has_typo
    from synthetic_queries as s
    left join annotated_norms as a
        on a.query_norm = s.query_norm
    where a.query_norm is null
),

annotated_rows as (
    select
        query_text,
        query_norm,
        tokens,
        tags,
        'annotated' as source,
        coalesce(file_split, {{ qu_split_from_hash('query_norm') }}) as split,
        1 as n_clicks,
        has_unseen_brand,
        has_typo
    from annotated_queries
),

all_rows as (
    select * from synthetic_rows
    union all
    select * from annotated_rows
)

select
    {{ qu_md5("source || ':' || query_text") }} as query_id,
    query_text,
    query_norm,
    tokens,
    tags,
    source,
    split,
    cast(n_clicks as {{ dbt.type_int() }}) as n_clicks,
    has_unseen_brand,
    has_typo,
    query_text <> lower(query_text) as has_casing_variant,
    (' ' || {{ qu_array_to_string('tags', ' ') }}) like '% I-%' as has_multiword_entity
from all_rows
