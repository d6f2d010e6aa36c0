"""Results of a trial: posted registry results and the exact analysis after a two-stage design."""
