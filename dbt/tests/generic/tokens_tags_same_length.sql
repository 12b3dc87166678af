{#- Every row has a tokens array and a tags array of the same length (one tag per token). -#}
{% test tokens_tags_same_length(model, tokens_column='tokens', tags_column='tags') %}

select
    {{ tokens_column }} as tokens,
    {{ tags_column }} as tags
from {{ model }}
where {{ tokens_column }} is null
    or {{ tags_column }} is null
    or {{ qu_array_length(tokens_column) }} <> {{ qu_array_length(tags_column) }}

{% endtest %}
