{#-
  The tags column is a well-formed BIO sequence over the given entity types: each tag is O, B-X or
  I-X with X an entity type, and I-X only continues a B-X or I-X of the same type (never first,
  never after O, never after another type). Returns one row per offending tag.
-#}
{% test valid_bio(model, column_name, entity_types=['BRAND', 'COLOR', 'TYPE']) %}

with numbered_rows as (
    select
        row_number() over (order by {{ qu_array_to_string(column_name, ' ') }}) as row_number_,
        {{ column_name }} as tags_array
    from {{ model }}
    where {{ column_name }} is not null
),

tags_with_previous as (
    select
        r.row_number_,
        {{ qu_array_to_string('r.tags_array', ' ') }} as tag_sequence,
        {{ qu_unnest_index('tg') }} as token_index,
        {{ qu_unnest_value('tg') }} as tag
    from numbered_rows as r
    {{ qu_unnest_join('r.tags_array', 'tg') }}
),

with_previous as (
    select
        *,
        lag(tag) over (partition by row_number_ order by token_index) as previous_tag
    from tags_with_previous
)

select tag_sequence, token_index, tag, previous_tag
from with_previous
where tag is null
    or not (
        tag = 'O'
        or (
            substr(tag, 1, 2) in ('B-', 'I-')
            and substr(tag, 3) in ({% for t in entity_types %}'{{ t }}'{% if not loop.last %}, {% endif %}{% endfor %})
        )
    )
    or (
        substr(tag, 1, 2) = 'I-'
        and (previous_tag is null or previous_tag = 'O' or substr(previous_tag, 3) <> substr(tag, 3))
    )

{% endtest %}
