"""chunkd's contract: tasks.proto and the stubs generated from it."""

# The largest gRPC message either end of the contract sends or accepts: client, server and
# gateway alike (a task with its chunks and data: URLs can be hundreds of megabytes).
# Uploads are held to the server's max_file_size besides.
MAX_MESSAGE_BYTES = 512 * 1024 * 1024
