-- Drift of the latest logged day's traffic from what the models were trained on, one row per
-- metric: the per-type entity rate against train_queries' (value = observed - expected, judged
-- by its absolute size), a population stability index over token-length bins against
-- train_queries, and a PSI over entity-confidence bins against the first logged day (train has
-- no confidences; null until a second day is logged). Empty without a prediction log.

{%- set types = ['BRAND', 'COLOR', 'TYPE'] %}

with latest as (
    select max(cast(predicted_at as date)) as day, min(cast(predicted_at as date)) as first_day
    from {{ ref('stg_predictions') }}
),

served as (
    select p.prediction_id, {{ qu_count_tokens('p.query_text') }} as n_tokens
    from {{ ref('stg_predictions') }} as p
    inner join latest on cast(p.predicted_at as date) = latest.day
),

served_rates as (
    select
        {%- for t in types %}
        avg({{ t | lower }}_entity_rate) as {{ t | lower }}_rate,
        {%- endfor %}
        count(*) as n_days
    from {{ ref('monitoring_daily') }} as d
    inner join latest on d.predicted_day = latest.day
),

train as (
    select query_id, tokens, tags from {{ ref('train_queries') }}
),

train_tags as (
    select t.query_id, {{ qu_unnest_value('tag') }} as tag
    from train as t
    {{ qu_unnest_join('t.tags', 'tag') }}
),

train_rates as (
    select
        {%- for t in types %}
        count(distinct case when tag = 'B-{{ t }}' then query_id end) * 1.0
            / nullif((select count(*) from train), 0) as {{ t | lower }}_rate{% if not loop.last %},{% endif %}
        {%- endfor %}
    from train_tags
),

served_length_bins as (
    select {{ qu_token_length_bin('n_tokens') }} as bin, count(*) as n
    from served
    group by 1
),

train_length_bins as (
    select {{ qu_token_length_bin(qu_array_length('tokens')) }} as bin, count(*) as n
    from train
    group by 1
),

length_psi as (
    {{ qu_psi(qu_token_length_bins(), 'served_length_bins', 'train_length_bins') }}
),

entity_scores as (
    select e.predicted_day, e.score
    from {{ ref('int_prediction_entities') }} as e
    where e.score is not null
),

latest_confidence_bins as (
    select {{ qu_confidence_bin('s.score') }} as bin, count(*) as n
    from entity_scores as s
    inner join latest on s.predicted_day = latest.day
    group by 1
),

first_confidence_bins as (
    select {{ qu_confidence_bin('s.score') }} as bin, count(*) as n
    from entity_scores as s
    inner join latest on s.predicted_day = latest.first_day
    where latest.first_day < latest.day
    group by 1
),

confidence_psi as (
    {{ qu_psi(qu_confidence_bins(), 'latest_confidence_bins', 'first_confidence_bins') }}
),

metrics as (
    {%- for t in types %}
    select
        'entity_rate_delta' as metric,
        '{{ t }}' as scope,
        served_rates.{{ t | lower }}_rate as observed,
        train_rates.{{ t | lower }}_rate as expected,
        served_rates.{{ t | lower }}_rate - train_rates.{{ t | lower }}_rate as value
    from served_rates cross join train_rates
    where served_rates.n_days > 0
    union all
    {%- endfor %}
    select 'psi_token_length', 'all', null, null, psi
    from length_psi
    where exists (select 1 from served)
    union all
    select 'psi_confidence', 'all', null, null, psi
    from confidence_psi
    where exists (select 1 from first_confidence_bins)
        and exists (select 1 from latest_confidence_bins)
)

select
    latest.day as predicted_day,
    metrics.metric,
    metrics.scope,
    metrics.observed,
    metrics.expected,
    metrics.value
from metrics
cross join latest
order by metrics.metric, metrics.scope
