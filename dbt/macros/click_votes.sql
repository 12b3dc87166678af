{#-
  The two pieces of click alignment that more than one model needs, so that the synthetic labels
  (int_click_signatures, int_synthetic_queries) and the feedback labels (feedback_weak_labels)
  are produced by literally the same SQL.
-#}


{#-
  Id of a click signature: the query text and the clicked product's brand, color and type (what
  distant supervision looks at). Every click event maps to exactly one int_click_signatures row
  through it, and int_signature_taggings holds that signature's BIO tagging.
-#}
{% macro qu_click_signature_id(query_text, product_brand, product_color, product_type) -%}
  {{ qu_md5(query_text ~ " || ' | ' || coalesce(" ~ product_brand ~ ", '') || ' | ' || coalesce(" ~ product_color ~ ", '') || ' | ' || coalesce(" ~ product_type ~ ", '')") }}
{%- endmacro %}


{#-
  Majority vote over click taggings, as CTE definitions to splice into a caller's WITH list:

    with taggings as (select <group_column>, tag_sequence, n_events, n_labeled_tokens, has_typo,
                             signature_id from ...),
    {{ qu_majority_tagging_ctes('winners', 'taggings', 'query_text') }}
    select * from winners

  Every event is a vote for its signature's tagging (n_events votes per row). `<name>` holds one
  row per group: <group_column>, tag_sequence (the winner), n_votes, n_labeled_tokens, has_typo
  (some signature with the winning tagging matched through a typo) and example_signature_id (the
  smallest signature id with the winning tagging; its `tags` array is the winner's). Ties go to the
  tagging that labels more tokens, then to the alphabetically first tag sequence.
-#}
{% macro qu_majority_tagging_ctes(name, taggings, group_column) -%}
{{ name }}__votes as (
    select
        {{ group_column }},
        tag_sequence,
        sum(n_events) as n_votes,
        max(n_labeled_tokens) as n_labeled_tokens,
        {{ dbt.bool_or('has_typo') }} as has_typo,
        min(signature_id) as example_signature_id
    from {{ taggings }}
    group by {{ group_column }}, tag_sequence
),

{{ name }}__ranked as (
    select
        *,
        row_number() over (
            partition by {{ group_column }}
            order by n_votes desc, n_labeled_tokens desc, tag_sequence
        ) as vote_rank
    from {{ name }}__votes
),

{{ name }} as (
    select
        {{ group_column }},
        tag_sequence,
        n_votes,
        n_labeled_tokens,
        has_typo,
        example_signature_id
    from {{ name }}__ranked
    where vote_rank = 1
)
{%- endmacro %}
