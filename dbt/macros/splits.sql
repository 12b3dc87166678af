{#-
  Split of a row from its normalized text: md5 bucket (see qu_hash_bucket) < 80 train, < 90 dev,
  else test (docs/data_model.md). Python: int(md5(query_norm).hexdigest()[:8], 16) % 100.
-#}
{% macro qu_split_from_hash(query_norm_expr) -%}
  case
    when {{ qu_hash_bucket(query_norm_expr, 100) }} < 80 then 'train'
    when {{ qu_hash_bucket(query_norm_expr, 100) }} < 90 then 'dev'
    else 'test'
  end
{%- endmacro %}

{#- Priority of a split when one text is claimed by several: evaluation splits win. -#}
{% macro qu_split_priority(split_expr) -%}
  case {{ split_expr }} when 'test' then 0 when 'dev' then 1 when 'train' then 2 else 3 end
{%- endmacro %}
