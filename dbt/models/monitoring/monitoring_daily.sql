-- Served traffic per day (UTC): volume, per-type entity rate (share of answered queries with at
-- least one entity of the type), the share with none, mean and 10th-percentile entity confidence
-- and the share of novel entities (linked to nothing in the catalog, among entities the linker
-- judged). The series a dashboard plots; monitoring_alerts judges the latest day.

with predictions as (
    select
        prediction_id,
        cast(predicted_at as date) as predicted_day,
        query_norm,
        n_entities,
        {{ qu_count_tokens('query_text') }} as n_tokens
    from {{ ref('stg_predictions') }}
),

entities as (
    select * from {{ ref('int_prediction_entities') }}
),

per_prediction as (
    select
        p.prediction_id,
        p.predicted_day,
        p.query_norm,
        p.n_entities,
        p.n_tokens,
        max(case when e.entity_type = 'BRAND' then 1 else 0 end) as has_brand,
        max(case when e.entity_type = 'COLOR' then 1 else 0 end) as has_color,
        max(case when e.entity_type = 'TYPE' then 1 else 0 end) as has_type
    from predictions as p
    left join entities as e on e.prediction_id = p.prediction_id
    group by p.prediction_id, p.predicted_day, p.query_norm, p.n_entities, p.n_tokens
),

traffic as (
    select
        predicted_day,
        count(*) as n_predictions,
        count(distinct query_norm) as n_distinct_queries,
        avg(n_tokens * 1.0) as mean_tokens,
        avg(has_brand * 1.0) as brand_entity_rate,
        avg(has_color * 1.0) as color_entity_rate,
        avg(has_type * 1.0) as type_entity_rate,
        avg(case when n_entities = 0 then 1.0 else 0.0 end) as no_entity_rate
    from per_prediction
    group by predicted_day
),

confidence as (
    select
        predicted_day,
        count(*) as n_entities,
        avg(score) as mean_confidence,
        percentile_cont(0.1) within group (order by score) as p10_confidence,
        avg(case when novel then 1.0 when novel is not null then 0.0 end) as novel_share
    from entities
    group by predicted_day
)

select
    traffic.predicted_day,
    cast(traffic.n_predictions as {{ dbt.type_int() }}) as n_predictions,
    cast(traffic.n_distinct_queries as {{ dbt.type_int() }}) as n_distinct_queries,
    cast(coalesce(confidence.n_entities, 0) as {{ dbt.type_int() }}) as n_entities,
    traffic.mean_tokens,
    traffic.brand_entity_rate,
    traffic.color_entity_rate,
    traffic.type_entity_rate,
    traffic.no_entity_rate,
    confidence.mean_confidence,
    confidence.p10_confidence,
    confidence.novel_share
from traffic
left join confidence on confidence.predicted_day = traffic.predicted_day
order by traffic.predicted_day
