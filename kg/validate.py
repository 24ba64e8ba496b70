"""How a built graph is checked against the SHACL shapes in ``ontology/shapes.ttl``.

The ontology is loaded beside the data so that ``sh:class`` sees subclasses (a
``ipkg:Country`` is an ``ipkg:Place``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import Graph

from kg.rdf import ONTOLOGY_PATH, SHAPES_PATH


@dataclass
class ValidationReport:
    conforms: bool
    violations: int
    text: str


def validate_graph(graph: Graph) -> ValidationReport:
    shapes = Graph().parse(SHAPES_PATH)
    ontology = Graph().parse(ONTOLOGY_PATH)
    conforms, results, text = shacl_validate(
        graph, shacl_graph=shapes, ont_graph=ontology, inference="rdfs", abort_on_first=False,
        allow_warnings=True,
    )
    from rdflib.namespace import SH

    violations = len(set(results.subjects(SH.resultSeverity, SH.Violation)))
    return ValidationReport(conforms=bool(conforms), violations=violations, text=text)
