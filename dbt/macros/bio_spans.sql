{#-
  Entity spans of BIO-tagged rows, as CTE definitions to splice into a caller's WITH list:

    with labeled as (select query_id, tokens, tags from ...),
    {{ qu_bio_spans_ctes('labeled_spans', 'labeled', 'query_id') }}
    select * from labeled_spans

  `<name>` then holds one row per entity span: row_key, label (BRAND / COLOR / TYPE),
  span_start (0-based token index), span_end (exclusive), n_tokens, span_text (lowercased tokens
  joined by one space). A span starts at any tag that is not I-X and continues over the I-X tags
  after it; only spans opened by a B-X tag are returned.
-#}
{% macro qu_bio_spans_ctes(name, relation, key_column, tokens_column='tokens', tags_column='tags') -%}
{{ name }}__rows as (
    select
        {{ key_column }} as row_key,
        {{ tokens_column }} as tokens_array,
        {{ tags_column }} as tags_array
    from {{ relation }}
),

{{ name }}__tokens as (
    select
        r.row_key,
        {{ qu_unnest_index('tok') }} as token_index,
        {{ qu_unnest_value('tok') }} as token
    from {{ name }}__rows as r
    {{ qu_unnest_join('r.tokens_array', 'tok') }}
),

{{ name }}__tags as (
    select
        r.row_key,
        {{ qu_unnest_index('tg') }} as token_index,
        {{ qu_unnest_value('tg') }} as tag
    from {{ name }}__rows as r
    {{ qu_unnest_join('r.tags_array', 'tg') }}
),

{{ name }}__numbered as (
    select
        tags.row_key,
        tags.token_index,
        tags.tag,
        tokens.token,
        sum(case when tags.tag like 'I-%' then 0 else 1 end) over (
            partition by tags.row_key
            order by tags.token_index
            rows between unbounded preceding and current row
        ) as span_number
    from {{ name }}__tags as tags
    left join {{ name }}__tokens as tokens
        on tokens.row_key = tags.row_key
        and tokens.token_index = tags.token_index
),

{{ name }} as (
    select
        row_key,
        max(case when tag like 'B-%' then substr(tag, 3) end) as label,
        min(token_index) as span_start,
        max(token_index) + 1 as span_end,
        count(*) as n_tokens,
        {{ dbt.listagg('lower(token)', "' '", 'order by token_index') }} as span_text
    from {{ name }}__numbered
    group by row_key, span_number
    having max(case when tag like 'B-%' then 1 else 0 end) = 1
)
{%- endmacro %}
