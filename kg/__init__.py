"""ipkg: a knowledge graph of IP events and entities built from CNIPA reports.

Data flows one way::

    corpus -> kg.clean -> kg.nlp (spaCy) -> kg.extract (pydantic records)
           -> kg.rdf (triples under ontology/ipkg.ttl) -> kg.store / kg.query / kg.network / kg.export
"""

__version__ = "0.1.0"
