-- The BIO tagging each click signature implies (what every event behind it votes for): one tag per
-- token from its resolved spans, plus what the vote and the slice flags need.

with signatures as (
    select * from {{ ref('int_click_signatures') }}
),

spans as (
    select * from {{ ref('int_entity_spans') }}
),

held_out_brands as (
    select brand from {{ ref('int_holdout_brands') }} where is_held_out
),

token_tags as (
    select
        signatures.signature_id,
        tokens.token_index,
        case
            when spans.start_index = tokens.token_index then 'B-' || spans.label
            when spans.label is not null then 'I-' || spans.label
            else 'O'
        end as tag
    from signatures
    inner join {{ ref('int_query_tokens') }} as tokens
        on tokens.query_text = signatures.query_text
    left join spans
        on spans.signature_id = signatures.signature_id
        and tokens.token_index >= spans.start_index
        and tokens.token_index < spans.end_index
),

tag_sequences as (
    select
        signature_id,
        {{ qu_array_agg_ordered('tag', 'token_index') }} as tags,
        {{ dbt.listagg('tag', "' '", 'order by token_index') }} as tag_sequence,
        sum(case when tag = 'O' then 0 else 1 end) as n_labeled_tokens
    from token_tags
    group by signature_id
),

span_flags as (
    select
        spans.signature_id,
        {{ dbt.bool_or('spans.is_typo') }} as has_typo,
        {{ dbt.bool_or("spans.label = 'BRAND' and held_out_brands.brand is not null") }} as mentions_held_out_brand
    from spans
    left join held_out_brands
        on spans.label = 'BRAND'
        and held_out_brands.brand = spans.matched_value
    group by spans.signature_id
)

select
    signatures.signature_id,
    signatures.query_text,
    signatures.query_norm,
    signatures.n_events,
    tag_sequences.tags,
    tag_sequences.tag_sequence,
    cast(tag_sequences.n_labeled_tokens as {{ dbt.type_int() }}) as n_labeled_tokens,
    coalesce(span_flags.has_typo, false) as has_typo,
    coalesce(span_flags.mentions_held_out_brand, false) as mentions_held_out_brand
from signatures
inner join tag_sequences
    on tag_sequences.signature_id = signatures.signature_id
left join span_flags
    on span_flags.signature_id = signatures.signature_id
