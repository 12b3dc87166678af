-- What the served model answered for each logged prediction, as BIO tags over the query's tokens,
-- so that feedback_weak_labels can compare it tag for tag with the weak labels of the clicks that
-- followed. Logged entities carry character offsets into the raw query, on token boundaries
-- (bentos/README.md): an entity starts at the token whose index is the number of tokens before its
-- start offset and covers the tokens inside [start, end) (query_understanding.bio.entities_to_tags
-- in Python). Entities that cannot be laid on the tokens get no tags and are counted in
-- n_unplaced_entities: off the token grid (the covered tokens do not spell the entity's text), or
-- overlapping an entity that starts earlier (a model should never emit either).

with predictions as (
    select
        prediction_id,
        query,
        query_text,
        {{ qu_split_to_array('query_text', ' ') }} as tokens,
        entities
    from {{ ref('stg_predictions') }}
),

prediction_tokens as (
    select
        p.prediction_id,
        {{ qu_unnest_index('tok') }} as token_index,
        {{ qu_unnest_value('tok') }} as token
    from predictions as p
    {{ qu_unnest_join('p.tokens', 'tok') }}
),

logged_entities as (
    select
        p.prediction_id,
        p.query,
        {{ qu_unnest_index('ent') }} as entity_index,
        {{ qu_unnest_element('ent') }} as entity
    from predictions as p
    {{ qu_unnest_join('p.entities', 'ent') }}
),

entity_offsets as (
    select
        prediction_id,
        query,
        entity_index,
        cast({{ qu_struct_field('entity', 'type') }} as {{ dbt.type_string() }}) as entity_type,
        cast({{ qu_struct_field('entity', 'text') }} as {{ dbt.type_string() }}) as entity_text,
        cast({{ qu_struct_field('entity', 'start') }} as {{ dbt.type_int() }}) as char_start,
        cast({{ qu_struct_field('entity', 'end') }} as {{ dbt.type_int() }}) as char_end
    from logged_entities
),

entity_token_spans as (
    select
        prediction_id,
        entity_index,
        entity_type,
        entity_text,
        {{ qu_count_tokens('substr(query, 1, char_start)') }} as token_start,
        {{ qu_count_tokens('substr(query, 1, char_start)') }}
            + {{ qu_count_tokens('substr(query, char_start + 1, char_end - char_start)') }} as token_end
    from entity_offsets
    where char_start >= 0
        and char_end > char_start
),

entity_covered_text as (
    select
        spans.prediction_id,
        spans.entity_index,
        {{ dbt.listagg('tokens.token', "' '", 'order by tokens.token_index') }} as covered_text
    from entity_token_spans as spans
    inner join prediction_tokens as tokens
        on tokens.prediction_id = spans.prediction_id
        and tokens.token_index >= spans.token_start
        and tokens.token_index < spans.token_end
    group by spans.prediction_id, spans.entity_index
),

entities_on_grid as (
    select spans.*
    from entity_token_spans as spans
    inner join entity_covered_text as covered
        on covered.prediction_id = spans.prediction_id
        and covered.entity_index = spans.entity_index
    where covered.covered_text = {{ qu_collapse_whitespace('spans.entity_text') }}
),

-- of overlapping entities, the one that starts first (then the first listed) is kept
placed_entities as (
    select spans.*
    from entities_on_grid as spans
    where not exists (
        select 1
        from entities_on_grid as earlier
        where earlier.prediction_id = spans.prediction_id
            and earlier.entity_index <> spans.entity_index
            and earlier.token_start < spans.token_end
            and spans.token_start < earlier.token_end
            and (earlier.token_start < spans.token_start
                or (earlier.token_start = spans.token_start and earlier.entity_index < spans.entity_index))
    )
),

unplaced_counts as (
    select
        offsets.prediction_id,
        count(*) as n_unplaced_entities
    from entity_offsets as offsets
    left join placed_entities as placed
        on placed.prediction_id = offsets.prediction_id
        and placed.entity_index = offsets.entity_index
    where placed.entity_index is null
    group by offsets.prediction_id
),

token_tags as (
    select
        tokens.prediction_id,
        tokens.token_index,
        case
            when spans.entity_type is null then 'O'
            when spans.token_start = tokens.token_index then 'B-' || spans.entity_type
            else 'I-' || spans.entity_type
        end as tag
    from prediction_tokens as tokens
    left join placed_entities as spans
        on spans.prediction_id = tokens.prediction_id
        and tokens.token_index >= spans.token_start
        and tokens.token_index < spans.token_end
),

tag_sequences as (
    select
        prediction_id,
        {{ qu_array_agg_ordered('tag', 'token_index') }} as predicted_tags,
        {{ dbt.listagg('tag', "' '", 'order by token_index') }} as predicted_tag_sequence
    from token_tags
    group by prediction_id
)

select
    predictions.prediction_id,
    predictions.tokens,
    tag_sequences.predicted_tags,
    tag_sequences.predicted_tag_sequence,
    cast(coalesce(unplaced.n_unplaced_entities, 0) as {{ dbt.type_int() }}) as n_unplaced_entities
from predictions
inner join tag_sequences
    on tag_sequences.prediction_id = predictions.prediction_id
left join unplaced_counts as unplaced
    on unplaced.prediction_id = predictions.prediction_id
