{#-
  The tokens array is the whitespace split of query_text (query_text is single-spaced), i.e. what
  query_understanding.text.tokenize returns, so tags line up with the tokens serving will see.
-#}
{% test tokens_match_query_text(model, text_column='query_text', tokens_column='tokens') %}

select {{ text_column }} as query_text, {{ tokens_column }} as tokens
from {{ model }}
where {{ text_column }} is null
    or {{ tokens_column }} is null
    or {{ qu_array_to_string(tokens_column, ' ') }} <> {{ text_column }}
    or {{ qu_array_length(tokens_column) }} <> {{ qu_array_length(qu_split_to_array(text_column, ' ')) }}
    or {{ text_column }} <> {{ qu_collapse_whitespace(text_column) }}

{% endtest %}
