{#-
  Deterministic overlap resolution, as CTE definitions for a model that starts with
  `with recursive`. `candidates` is a relation with columns
    <partition_column>, candidate_rank (1, 2, ... without gaps inside a partition: best first),
    start_index, n_tokens (the span [start_index, start_index + n_tokens)), query_length.
  Candidates are visited in rank order and each one is kept when none of its tokens is already
  covered by a kept one: the classic greedy, exact, not an approximation. Coverage is a string of
  '0'/'1' per token, which every warehouse can slice (no bit masks, no query-length limit).
  `<name>` then holds the kept candidates with all their columns.
-#}
{% macro qu_greedy_spans_ctes(name, candidates, partition_column) -%}
{{ name }}__partitions as (
    select distinct {{ partition_column }} as partition_key, query_length
    from {{ candidates }}
),

{{ name }}__steps as (
    select
        partition_key,
        cast(0 as {{ dbt.type_int() }}) as step,
        repeat('0', query_length) as covered,
        cast(null as {{ dbt.type_int() }}) as kept_rank
    from {{ name }}__partitions

    union all

    select
        steps.partition_key,
        cast(steps.step + 1 as {{ dbt.type_int() }}) as step,
        case
            when substr(steps.covered, candidate.start_index + 1, candidate.n_tokens) = repeat('0', candidate.n_tokens)
            then substr(steps.covered, 1, candidate.start_index)
                || repeat('1', candidate.n_tokens)
                || substr(steps.covered, candidate.start_index + candidate.n_tokens + 1)
            else steps.covered
        end as covered,
        case
            when substr(steps.covered, candidate.start_index + 1, candidate.n_tokens) = repeat('0', candidate.n_tokens)
            then cast(candidate.candidate_rank as {{ dbt.type_int() }})
        end as kept_rank
    from {{ name }}__steps as steps
    inner join {{ candidates }} as candidate
        on candidate.{{ partition_column }} = steps.partition_key
        and candidate.candidate_rank = steps.step + 1
),

{{ name }} as (
    select candidate.*
    from {{ candidates }} as candidate
    inner join {{ name }}__steps as steps
        on steps.partition_key = candidate.{{ partition_column }}
        and steps.kept_rank = candidate.candidate_rank
)
{%- endmacro %}
