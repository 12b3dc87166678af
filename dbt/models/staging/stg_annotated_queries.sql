-- Human-annotated queries from JSONL files ({"id", "tokens", "tags"}), one row per line, with the
-- file they came from: the file name decides the split (*train* / *dev* / *test*). With no
-- annotated_queries_path and no imports this is an empty relation of the same columns and types, so the rest of
-- the project runs unchanged. Shape problems (null arrays, length mismatch, bad BIO) are not
-- dropped here: the tests on this model and on labeled_queries report them.

{#- the user's files and the imported Label Studio exports (var annotation_imports_path) -#}
{%- set annotated_paths = [] %}
{%- for path in [var('annotated_queries_path'), var('annotation_imports_path', '')] %}
  {%- if path | trim %}{% do annotated_paths.append(path | trim) %}{% endif %}
{%- endfor %}
{%- set exclude_glob = var('annotated_queries_exclude', '') | trim %}

{% if annotated_paths %}

with annotated_lines as (
    select
        filename as source_path,
        regexp_replace(filename, '^.*/', '') as source_file,
        id,
        tokens,
        tags
    from {{ qu_read_annotated_jsonl(annotated_paths) }}
),

selected_files as (
    select *
    from annotated_lines
    {%- if exclude_glob %}
    -- e.g. QueryNER's *_full_* files carry the original 17 entity types
    where not (source_file glob '{{ exclude_glob | replace("'", "''") }}')
    {%- endif %}
)

select
    source_path,
    source_file,
    id as annotated_id,
    tokens,
    tags,
    {{ qu_array_to_string('tokens', ' ') }} as query_text,
    case
        when source_file like '%train%' then 'train'
        when source_file like '%dev%' then 'dev'
        when source_file like '%test%' then 'test'
    end as file_split
from selected_files

{% else %}

select
    cast(null as {{ dbt.type_string() }}) as source_path,
    cast(null as {{ dbt.type_string() }}) as source_file,
    cast(null as {{ dbt.type_string() }}) as annotated_id,
    cast(null as {{ qu_string_array_type() }}) as tokens,
    cast(null as {{ qu_string_array_type() }}) as tags,
    cast(null as {{ dbt.type_string() }}) as query_text,
    cast(null as {{ dbt.type_string() }}) as file_split
from (select 1 as placeholder) as no_annotated_files
where 1 = 0

{% endif %}
