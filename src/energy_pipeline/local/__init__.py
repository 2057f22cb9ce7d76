"""The embedded local engine: template.yaml and the real ASL on moto, Lambda code run in-process."""
