-- What shoppers ask for that the catalog lacks: the served entities the linker marked novel
-- (stg_predictions.entities[].novel = true: a BRAND or TYPE span that linked to no catalog entry),
-- one row per (entity_type, normalized surface), most predicted first (novelty_rank). Candidates
-- for the catalog (a new brand, a missing synonym) or for the aliases file. Entities logged
-- before linking existed (novel absent, so null) and linked ones (novel false) are not counted.
-- Empty when there is no prediction log.

with novel_mentions as (
    select prediction_id, predicted_at, query_text, query_norm, entity_type, surface
    from {{ ref('int_prediction_entities') }}
    where novel
),

per_surface as (
    select
        entity_type,
        surface,
        count(distinct prediction_id) as n_predictions,
        count(distinct query_norm) as n_distinct_queries,
        min(predicted_at) as first_seen,
        max(predicted_at) as last_seen,
        min(query_text) as example_query
    from novel_mentions
    where surface is not null and surface <> ''
    group by entity_type, surface
)

select
    cast(row_number() over (order by n_predictions desc, n_distinct_queries desc, entity_type, surface) as {{ dbt.type_int() }}) as novelty_rank,
    entity_type,
    surface,
    cast(n_predictions as {{ dbt.type_int() }}) as n_predictions,
    cast(n_distinct_queries as {{ dbt.type_int() }}) as n_distinct_queries,
    first_seen,
    last_seen,
    example_query
from per_surface
order by novelty_rank
