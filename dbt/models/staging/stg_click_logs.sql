-- The user's click logs (var click_logs_path, env QU_CLICK_LOGS; source raw.click_logs, on DuckDB
-- the file itself: CSV, Parquet or JSONL by extension), one row per line: event_ts as a UTC
-- timestamp (an offset in the text is applied), query_text cleaned like stg_query_logs. event_id
-- and session_id are optional: a missing or empty event_id becomes md5(file name || ':' || row),
-- the row numbered in (event_ts, query_text, clicked_product_id, session_id) order within its file
-- (stable whatever order the file is scanned in). A file without event_ts, query_text or
-- clicked_product_id fails here, naming the file and the column. With no path: an empty relation
-- of the same columns and types. A table: one snapshot of the file per build.
-- depends_on: {{ source('raw', 'click_logs') }}

{{ config(materialized='table') }}

{%- set logs_path = var('click_logs_path', '') | trim %}
{%- set known = ['event_id', 'session_id', 'event_ts', 'query_text', 'clicked_product_id', 'filename'] %}

{% if logs_path %}

{%- set reader = qu_read_source_file('click_logs', logs_path) %}
{%- set columns = qu_source_file_columns(
        'click_logs', logs_path, 'click log', ['event_ts', 'query_text', 'clicked_product_id'], known) %}

with log_lines as (
    select
        nullif(trim({{ qu_text_column('event_id', columns) }}), '') as given_event_id,
        nullif(trim({{ qu_text_column('session_id', columns) }}), '') as session_id,
        {{ qu_event_timestamp("nullif(trim(" ~ qu_text_column('event_ts', columns) ~ "), '')") }} as event_ts,
        {{ qu_collapse_whitespace(qu_text_column('query_text', columns)) }} as query_text,
        nullif(trim({{ qu_text_column('clicked_product_id', columns) }}), '') as clicked_product_id,
        coalesce(cast(filename as {{ dbt.type_string() }}), '{{ logs_path | replace("'", "''") }}') as source_file
    from {{ reader }}
),

numbered_lines as (
    select
        *,
        row_number() over (
            partition by source_file
            order by event_ts, query_text, clicked_product_id, session_id, given_event_id
        ) as row_in_file
    from log_lines
)

select
    coalesce(
        given_event_id,
        {{ qu_md5("regexp_replace(source_file, '^.*/', '') || ':' || cast(row_in_file as " ~ dbt.type_string() ~ ")") }}
    ) as event_id,
    session_id,
    event_ts,
    query_text,
    clicked_product_id,
    source_file
from numbered_lines

{% else %}

select
    cast(null as {{ dbt.type_string() }}) as event_id,
    cast(null as {{ dbt.type_string() }}) as session_id,
    cast(null as {{ dbt.type_timestamp() }}) as event_ts,
    cast(null as {{ dbt.type_string() }}) as query_text,
    cast(null as {{ dbt.type_string() }}) as clicked_product_id,
    cast(null as {{ dbt.type_string() }}) as source_file
from (select 1 as placeholder) as no_click_logs
where 1 = 0

{% endif %}
