"""Chunkr's JSON: the codec between Chunkr's REST shapes and chunkd's protos, shared by
the gateway and the client. It depends on the protos alone, never on the server."""
