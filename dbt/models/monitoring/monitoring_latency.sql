-- Server latency per day and model tag (the A/B arm): p50 and p99 of the log's latency_ms, the
-- service's time from handler start to tagging done for the request the query came in (so a
-- batch's queries share one value).

select
    cast(predicted_at as date) as predicted_day,
    model_tag,
    cast(count(*) as {{ dbt.type_int() }}) as n_predictions,
    percentile_cont(0.5) within group (order by latency_ms) as latency_p50_ms,
    percentile_cont(0.99) within group (order by latency_ms) as latency_p99_ms
from {{ ref('stg_predictions') }}
where latency_ms is not null
group by cast(predicted_at as date), model_tag
order by predicted_day, model_tag
