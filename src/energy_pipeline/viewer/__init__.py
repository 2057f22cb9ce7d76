"""The local stand-in for the Step Functions console: execution lists, timelines and the workflow graph.

`graph` reads an ASL definition, `layout` places it, `scene` colours it with one execution's run,
`svg`/`png`/`page` write it out; `source` finds executions on `serve`, on a deployed stack or in-process.
"""
