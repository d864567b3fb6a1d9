"""Labels in and out of Sourcemark in other tools' formats. Pure: no Django imports.

- ``vocabulary``: the IRIs an export uses, the SKOS concept scheme of the
  three labels, and the table mapping other tools' label names to them.
- ``webannotation``: reviewer labels as W3C Web Annotations, streamed.
- ``readers``: Web Annotation, Hypothesis and Label Studio files read into
  one neutral record per annotation, with a refusal for each one that cannot be.
- ``locate``: where a record's text is in an article body.
- ``importplan``: records and a body in, what to write and what to refuse out.
"""
