-- Every monitored metric of the latest logged day next to its thresholds (var
-- monitoring_thresholds over the defaults of macros/monitoring.sql) and the verdict: ok, warn or
-- error. A metric without a value (no entity scores, a single logged day for psi_confidence) is
-- `no_data`. The Python asset checks in assets/monitoring_checks.py read this table, one check per
-- metric family, and report the verdict with the metric named. Empty without a prediction log.

{%- set thresholds = qu_monitoring_thresholds() %}

with latest as (
    select max(predicted_day) as day from {{ ref('monitoring_daily') }}
),

daily as (
    select d.*
    from {{ ref('monitoring_daily') }} as d
    inner join latest on d.predicted_day = latest.day
),

observations as (
    select 'volume' as family, 'daily_volume' as metric, 'all' as scope, cast(n_predictions as {{ qu_double_type() }}) as value from daily
    union all
    select 'confidence', 'mean_confidence', 'all', mean_confidence from daily
    union all
    select 'confidence', 'p10_confidence', 'all', p10_confidence from daily
    union all
    select 'novel_share', 'novel_share', 'all', novel_share from daily
    union all
    select 'latency', 'latency_p50_ms', l.model_tag, l.latency_p50_ms
    from {{ ref('monitoring_latency') }} as l inner join latest on l.predicted_day = latest.day
    union all
    select 'latency', 'latency_p99_ms', l.model_tag, l.latency_p99_ms
    from {{ ref('monitoring_latency') }} as l inner join latest on l.predicted_day = latest.day
    union all
    select
        case when metric = 'entity_rate_delta' then 'entity_rates' else 'drift' end,
        metric,
        scope,
        value
    from {{ ref('monitoring_drift') }}
),

thresholds as (
    {%- for name, t in thresholds.items() %}
    select
        '{{ name }}' as metric,
        '{{ t["direction"] }}' as direction,
        cast({{ t["warn"] }} as {{ qu_double_type() }}) as warn_threshold,
        cast({{ t["error"] }} as {{ qu_double_type() }}) as error_threshold
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
),

judged as (
    select
        o.family,
        o.metric,
        o.scope,
        o.value,
        t.direction,
        t.warn_threshold,
        t.error_threshold,
        -- entity-rate deltas are judged by their size, in either direction
        case when o.metric = 'entity_rate_delta' then abs(o.value) else o.value end as judged_value
    from observations as o
    inner join thresholds as t on t.metric = o.metric
)

select
    latest.day as predicted_day,
    family,
    metric,
    scope,
    value,
    direction,
    warn_threshold,
    error_threshold,
    case
        when judged_value is null then 'no_data'
        when direction = 'above' and judged_value > error_threshold then 'error'
        when direction = 'below' and judged_value < error_threshold then 'error'
        when direction = 'above' and judged_value > warn_threshold then 'warn'
        when direction = 'below' and judged_value < warn_threshold then 'warn'
        else 'ok'
    end as status
from judged
cross join latest
order by family, metric, scope
