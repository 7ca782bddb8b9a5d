"""The on-disk format: protobuf wire codec, TFRecord framing with masked CRC32C, file writer."""
