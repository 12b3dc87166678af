-- One weak labelling per distinct logged query text. The same text is clicked many times, on
-- different products, so each event's tagging is a vote: the tagging with the most events wins;
-- ties go to the tagging that labels more tokens, then to the alphabetically first tag sequence
-- (qu_majority_tagging_ctes in macros/click_votes.sql; feedback_weak_labels votes the same way).
-- A text mentions a held-out brand when any event matched one (at the level of its normalized
-- text, so that casing variants of one text never end up in different splits).

with taggings as (
    select * from {{ ref('int_signature_taggings') }}
),

{{ qu_majority_tagging_ctes('winning_taggings', 'taggings', 'query_text') }},

query_totals as (
    select
        query_text,
        min(query_norm) as query_norm,
        sum(n_events) as n_clicks,
        count(distinct tag_sequence) as n_distinct_taggings
    from taggings
    group by query_text
),

held_out_mentions_per_norm as (
    select
        query_norm,
        {{ dbt.bool_or('mentions_held_out_brand') }} as mentions_held_out_brand
    from taggings
    group by query_norm
)

select
    totals.query_text,
    totals.query_norm,
    {{ qu_split_to_array('totals.query_text', ' ') }} as tokens,
    winning_signature.tags,
    cast(totals.n_clicks as {{ dbt.type_int() }}) as n_clicks,
    cast(winner.n_votes as {{ dbt.type_int() }}) as n_votes_for_tags,
    cast(totals.n_distinct_taggings as {{ dbt.type_int() }}) as n_distinct_taggings,
    winner.has_typo,
    held_out.mentions_held_out_brand as has_unseen_brand
from query_totals as totals
inner join winning_taggings as winner
    on winner.query_text = totals.query_text
inner join taggings as winning_signature
    on winning_signature.signature_id = winner.example_signature_id
inner join held_out_mentions_per_norm as held_out
    on held_out.query_norm = totals.query_norm
