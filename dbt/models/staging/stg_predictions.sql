-- The serving prediction log (source raw.prediction_logs: on DuckDB the JSONL files under var
-- prediction_log_dir), one row per answered query, typed and keyed: the input of the feedback
-- loop (feedback_weak_labels), which pairs each prediction with the clicks that followed it.
-- With no log files (a fresh checkout, a pipeline that never served) this is an empty relation of
-- the same columns and types, decided at run time (macros/prediction_log.sql), so `dbt build`
-- stays green either way. A table, not a view: one consistent snapshot of a log that keeps
-- growing while the service runs, for the mart and its tests alike, and nothing breaks later if
-- old files are removed.
-- query_text / query_norm are cleaned exactly like stg_query_logs, so a prediction and the clicks
-- on the same query meet on query_norm. A line logged twice (same request id, item and ts) counts
-- once.
-- depends_on: {{ source('raw', 'prediction_logs') }}

{{ config(materialized='table') }}

{% if qu_prediction_log_available() %}

with log_lines as (
    select *
    from {{ qu_read_prediction_log() }}
),

typed_lines as (
    select
        {{ qu_md5("request_id || ':' || cast(item as " ~ dbt.type_string() ~ ") || ':' || ts") }} as prediction_id,
        request_id,
        cast(item as {{ dbt.type_int() }}) as item,
        {{ qu_utc_timestamp('ts') }} as predicted_at,
        query,
        {{ qu_collapse_whitespace('query') }} as query_text,
        entities,
        cast(coalesce({{ qu_array_length('entities') }}, 0) as {{ dbt.type_int() }}) as n_entities,
        cast(uncertainty as {{ qu_double_type() }}) as uncertainty,
        model_tag,
        coalesce(source, 'model') as answer_source,
        cast(routed as {{ dbt.type_boolean() }}) as routed,
        cast(latency_ms as {{ qu_double_type() }}) as latency_ms,
        cast(schema_version as {{ dbt.type_int() }}) as schema_version,
        filename as source_file
    from log_lines
),

-- a line logged twice (same request id, item and time) counts once
deduplicated_lines as (
    select
        *,
        row_number() over (
            partition by prediction_id
            order by source_file, model_tag, query
        ) as line_preference
    from typed_lines
)

select
    prediction_id,
    request_id,
    item,
    predicted_at,
    query,
    query_text,
    lower(query_text) as query_norm,
    entities,
    n_entities,
    uncertainty,
    model_tag,
    answer_source,
    routed,
    latency_ms,
    schema_version,
    source_file
from deduplicated_lines
where line_preference = 1
    and query_text is not null
    and query_text <> ''

{% else %}

select
    cast(null as {{ dbt.type_string() }}) as prediction_id,
    cast(null as {{ dbt.type_string() }}) as request_id,
    cast(null as {{ dbt.type_int() }}) as item,
    cast(null as {{ dbt.type_timestamp() }}) as predicted_at,
    cast(null as {{ dbt.type_string() }}) as query,
    cast(null as {{ dbt.type_string() }}) as query_text,
    cast(null as {{ dbt.type_string() }}) as query_norm,
    cast(null as {{ qu_prediction_entities_type() }}) as entities,
    cast(null as {{ dbt.type_int() }}) as n_entities,
    cast(null as {{ qu_double_type() }}) as uncertainty,
    cast(null as {{ dbt.type_string() }}) as model_tag,
    cast(null as {{ dbt.type_string() }}) as answer_source,
    cast(null as {{ dbt.type_boolean() }}) as routed,
    cast(null as {{ qu_double_type() }}) as latency_ms,
    cast(null as {{ dbt.type_int() }}) as schema_version,
    cast(null as {{ dbt.type_string() }}) as source_file
from (select 1 as placeholder) as no_prediction_log
where 1 = 0

{% endif %}
