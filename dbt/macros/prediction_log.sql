{#-
  Reading the serving prediction log (bentos/prediction_log.py; schema in bentos/README.md).
  On DuckDB the log is a directory of JSONL files, var prediction_log_dir:
    <dir>/date=YYYY-MM-DD/part-<pid>.jsonl
  and stg_predictions reads them with read_json. DuckDB raises on a glob that matches no file, so
  the model first asks qu_prediction_log_available() (a query at run time) and, when there is
  nothing to read, selects an empty relation of the same columns and types instead. On another
  warehouse, load the files into the source table raw.prediction_logs: it is read from there and
  assumed to exist.
-#}


{#- The glob of the log's files, from var prediction_log_dir (any trailing slash dropped). -#}
{% macro qu_prediction_log_glob() -%}
  {%- set log_dir = var('prediction_log_dir') | trim -%}
  {%- if not log_dir -%}
    {{ exceptions.raise_compiler_error("var prediction_log_dir is empty; set it (--vars, or QU_PREDICTION_LOG_DIR through Dagster) to the prediction log directory") }}
  {%- endif -%}
  {{ log_dir.rstrip('/') ~ '/**/*.jsonl' }}
{%- endmacro %}


{#-
  Whether there is a prediction log to read. Returns a boolean (call it in {% if %}): on duckdb
  whether any file matches qu_prediction_log_glob() (a missing directory matches none); false
  while dbt parses (no queries at parse time); true on other warehouses (a loaded table).
-#}
{% macro qu_prediction_log_available() -%}
  {{ return(adapter.dispatch('qu_prediction_log_available', 'query_understanding')()) }}
{%- endmacro %}

{% macro default__qu_prediction_log_available() -%}
  {{ return(true) }}
{%- endmacro %}

{#-
  postgres: whether the source table raw.prediction_logs exists (the server cannot read the
  service's local files; load them into that table, `entities` as jsonb or jsonb[]). Without it the
  model is the typed empty relation, as on duckdb without log files, so the graph stays green.
-#}
{% macro postgres__qu_prediction_log_available() -%}
  {%- if not execute -%}
    {{ return(false) }}
  {%- endif -%}
  {%- set relation = adapter.get_relation(database=target.database, schema='raw', identifier='prediction_logs') -%}
  {%- if relation is none -%}
    {{ log("stg_predictions: no table raw.prediction_logs on postgres (the prediction log files are read on duckdb only): the relation is empty", info=true) }}
  {%- endif -%}
  {{ return(relation is not none) }}
{%- endmacro %}

{% macro duckdb__qu_prediction_log_available() -%}
  {%- if not execute -%}
    {{ return(false) }}
  {%- endif -%}
  {%- set pattern = qu_prediction_log_glob() | replace("'", "''") -%}
  {%- set result = run_query("select count(*) as n_files from glob('" ~ pattern ~ "')") -%}
  {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}


{#-
  The log as a relation with the columns of source raw.prediction_logs, typed explicitly (so the
  types do not depend on what the files happen to hold, e.g. a score that is always null), plus
  `filename` on duckdb. Lines that do not parse (a line torn by a crash mid-write) are skipped.
-#}
{% macro qu_read_prediction_log() -%}
  {{ return(adapter.dispatch('qu_read_prediction_log', 'query_understanding')()) }}
{%- endmacro %}

{% macro default__qu_read_prediction_log() -%}
  (select *, cast(null as {{ dbt.type_string() }}) as filename from {{ source('raw', 'prediction_logs') }})
{%- endmacro %}

{#- postgres: the loaded table, entities as jsonb[] (a jsonb array column is converted). -#}
{% macro postgres__qu_read_prediction_log() -%}
  (
    select
      schema_version, request_id, item, ts, query,
      array(select jsonb_array_elements(coalesce(to_jsonb(entities), '[]'::jsonb))) as entities,
      uncertainty, model_tag, source, routed, latency_ms,
      cast(null as {{ dbt.type_string() }}) as filename
    from {{ source('raw', 'prediction_logs') }}
  )
{%- endmacro %}

{% macro duckdb__qu_read_prediction_log() -%}
  read_json(
    '{{ qu_prediction_log_glob() | replace("'", "''") }}',
    format = 'newline_delimited',
    hive_partitioning = false,
    filename = true,
    ignore_errors = true,
    columns = {
      schema_version: 'integer',
      request_id: 'varchar',
      item: 'integer',
      ts: 'varchar',
      query: 'varchar',
      entities: '{{ qu_prediction_entities_type() }}',
      uncertainty: 'double',
      model_tag: 'varchar',
      source: 'varchar',
      routed: 'boolean',
      latency_ms: 'double'
    }
  )
{%- endmacro %}


{#-
  Type of the `entities` column: an array of {type, text, start, end, score, canonical,
  link_method, link_score, novel}. The last four are the entity linker's (query_understanding/
  linking): canonical is null or {id, name, family, category} (family for a COLOR, category for a
  TYPE), link_method exact | alias | synonym | plural | fuzzy | null, novel true for a BRAND / TYPE
  the catalog lacks. Lines logged before linking existed have none of them: they read as nulls.
-#}
{% macro qu_prediction_entities_type() -%}
  {{ return(adapter.dispatch('qu_prediction_entities_type', 'query_understanding')()) }}
{%- endmacro %}

{% macro default__qu_prediction_entities_type() -%}
  struct(
    type varchar, text varchar, start bigint, "end" bigint, score double,
    canonical struct(id varchar, name varchar, family varchar, category varchar),
    link_method varchar, link_score double, novel boolean
  )[]
{%- endmacro %}

{#- postgres: one jsonb object per entity (fields read with qu_struct_field, ->>). -#}
{% macro postgres__qu_prediction_entities_type() -%}
  jsonb[]
{%- endmacro %}

{% macro snowflake__qu_prediction_entities_type() -%}
  array
{%- endmacro %}

{% macro bigquery__qu_prediction_entities_type() -%}
  array<struct<
    type string, text string, start int64, `end` int64, score float64,
    canonical struct<id string, name string, family string, category string>,
    link_method string, link_score float64, novel bool
  >>
{%- endmacro %}


{#-
  Number of whitespace-delimited tokens in a text (0 for empty or blank text): the length of what
  query_understanding.text.tokenize returns, for ASCII whitespace. Applied to the prefix of a raw
  query before an entity's start offset it gives the entity's first token index.
-#}
{% macro qu_count_tokens(text_expr) -%}
  case
    when {{ qu_collapse_whitespace(text_expr) }} = '' then 0
    else {{ qu_array_length(qu_split_to_array(qu_collapse_whitespace(text_expr), ' ')) }}
  end
{%- endmacro %}
