OPTIONAL MATCH (anchor:Actor {id: $anchorID})
CALL (anchor) {
  WITH anchor WHERE anchor IS NOT NULL
  MATCH p = SHORTEST 1 (f:Actor WHERE $funder IS NULL OR f.id = $funder)(()-[x:FUNDS WHERE (x.sinceKey <= $asOfEnd AND x.untilKey >= $asOfStart) AND ($minConfidence IS NULL OR x.confidence >= $minConfidence) AND ($statuses IS NULL OR x.status IN $statuses) AND ($includeRetired OR x.retired IS NULL)]->()){1,5}(anchor)
  WITH nodes(p) AS ns, relationships(p) AS rels
  ORDER BY size(rels), [x IN rels | x.id] LIMIT 200
  RETURN collect({nodes: [n IN ns | n {.id, .name, .kind, .aliases, .description, .countryCode, .evSource, .evLine, .evClaim, .version, degree: COUNT { (n)--() } - coalesce(n.retiredDegree, 0)}], edges: [x IN rels | x {.id, .since, .until, .status, .confidence, .via, .evSource, .evLine, .evClaim, .version, .retired, .retiredReason, type: type(x), from: startNode(x).id, to: endNode(x).id}], via: COLLECT { UNWIND rels AS vr UNWIND coalesce(vr.via, []) AS vid WITH DISTINCT vid MATCH (v:Actor {id: vid}) RETURN v {.id, .name, .kind, .aliases, .description, .countryCode, .evSource, .evLine, .evClaim, .version, degree: COUNT { (v)--() } - coalesce(v.retiredDegree, 0)} }}) AS channels
}
RETURN anchor IS NOT NULL AS found, channels
