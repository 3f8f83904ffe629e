package dev.portcullis.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Where a backtest reads history from: local files (a CloudTrail log folder as CloudTrail writes
 * it, {@code .json.gz}; JSON; JSON Lines) or the objects under an {@code s3://bucket/prefix} (read
 * with the AWS default credentials and {@code AWS_REGION}; {@code AWS_ENDPOINT_URL_S3} or the
 * system property {@code aws.endpointUrlS3} for an S3-compatible server, path style then). Each
 * file gives one input per JSON value in it, as a Kafka record would carry it. CloudTrail digest
 * files are skipped.
 */
abstract class HistorySource {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One JSON value read from a source; {@code sourceBytes} is its share of the source's size. */
  record Input(byte[] bytes, long sourceBytes) {}

  static HistorySource of(String spec, Supplier<Set<String>> eventNames) {
    if (spec.startsWith("lookup:")) {
      return new Lookup(spec, eventNames);
    }
    if (spec.startsWith("s3://")) {
      return new S3(URI.create(spec));
    }
    Path p = Path.of(spec);
    if (!Files.exists(p)) {
      throw new IllegalArgumentException("no file or folder at " + p.toAbsolutePath().normalize());
    }
    return new Local(p);
  }

  /** Bytes to read in all, for the progress bar. */
  abstract long size() throws IOException;

  /** The inputs, file by file. */
  abstract Stream<Input> inputs() throws IOException;

  static boolean isDigest(String name) {
    return name.contains("CloudTrail-Digest") || name.endsWith(".sig");
  }

  /** The JSON values of one file's bytes (gunzipped when gzip). */
  static List<Input> values(byte[] raw) throws IOException {
    byte[] bytes = raw;
    if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
        bytes = in.readAllBytes();
      }
    }
    List<Input> out = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(bytes)) {
      while (it.hasNextValue()) {
        values.add(JSON.writeValueAsBytes(it.nextValue()));
      }
    } catch (IOException e) {
      // Not JSON as a whole: the stream would dead-letter it; so does the backtest, as one input.
      values.clear();
      values.add(bytes);
    }
    for (int i = 0; i < values.size(); i++) {
      long share = raw.length / values.size() + (i == 0 ? raw.length % values.size() : 0);
      out.add(new Input(values.get(i), share));
    }
    return out;
  }

  static final class Local extends HistorySource {
    private final Path root;

    Local(Path root) {
      this.root = root;
    }

    private List<Path> files() throws IOException {
      if (Files.isRegularFile(root)) {
        return List.of(root);
      }
      try (Stream<Path> s = Files.walk(root)) {
        return s.filter(Files::isRegularFile)
            .filter(p -> !isDigest(p.toString()))
            .filter(
                p -> {
                  String n = p.getFileName().toString();
                  return n.endsWith(".json")
                      || n.endsWith(".jsonl")
                      || n.endsWith(".gz")
                      || n.endsWith(".log");
                })
            .sorted()
            .toList();
      }
    }

    @Override
    long size() throws IOException {
      long total = 0;
      for (Path p : files()) {
        total += Files.size(p);
      }
      return total;
    }

    @Override
    Stream<Input> inputs() throws IOException {
      return files().stream()
          .flatMap(
              p -> {
                try {
                  return values(Files.readAllBytes(p)).stream();
                } catch (IOException e) {
                  throw new UncheckedIOException(p + ": " + e.getMessage(), e);
                }
              });
    }
  }

  static final class S3 extends HistorySource {
    private final String bucket;
    private final String prefix;
    private S3Client client;
    private List<S3Object> objects;

    S3(URI uri) {
      this.bucket = uri.getHost();
      String path = uri.getPath() == null ? "" : uri.getPath();
      this.prefix = path.startsWith("/") ? path.substring(1) : path;
    }

    private S3Client client() {
      if (client == null) {
        var b = S3Client.builder();
        String region =
            System.getProperty(
                "aws.region", System.getenv().getOrDefault("AWS_REGION", "us-east-1"));
        b.region(Region.of(region));
        String endpoint =
            System.getProperty("aws.endpointUrlS3", System.getenv("AWS_ENDPOINT_URL_S3"));
        if (endpoint != null && !endpoint.isBlank()) {
          b.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
        }
        client = b.build();
      }
      return client;
    }

    private List<S3Object> objects() {
      if (objects == null) {
        objects = new ArrayList<>();
        client()
            .listObjectsV2Paginator(
                ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
            .contents()
            .forEach(
                o -> {
                  if (!isDigest(o.key()) && !o.key().endsWith("/")) {
                    objects.add(o);
                  }
                });
      }
      return objects;
    }

    @Override
    long size() {
      return objects().stream().mapToLong(S3Object::size).sum();
    }

    @Override
    Stream<Input> inputs() {
      Iterator<S3Object> keys = objects().iterator();
      Iterator<Input> it =
          new Iterator<>() {
            Iterator<Input> current = List.<Input>of().iterator();

            @Override
            public boolean hasNext() {
              while (!current.hasNext() && keys.hasNext()) {
                S3Object o = keys.next();
                ResponseBytes<GetObjectResponse> body =
                    client().getObjectAsBytes(r -> r.bucket(bucket).key(o.key()));
                try {
                  current = values(body.asByteArray()).iterator();
                } catch (IOException e) {
                  throw new UncheckedIOException("s3://" + bucket + "/" + o.key(), e);
                }
              }
              return current.hasNext();
            }

            @Override
            public Input next() {
              if (!hasNext()) {
                throw new NoSuchElementException();
              }
              return current.next();
            }
          };
      Iterable<Input> iterable = () -> it;
      return java.util.stream.StreamSupport.stream(iterable.spliterator(), false);
    }
  }

  /**
   * {@code lookup:<hours>h} (or an ISO duration, {@code lookup:P2D}): CloudTrail's LookupEvents
   * over that much of the past, for the event names the policies judge, 50 a page within the API's
   * rate limit (1.5 calls/s). One region ({@code AWS_REGION}); {@code AWS_ENDPOINT_URL_CLOUDTRAIL}
   * or {@code aws.endpointUrlCloudtrail} for another endpoint.
   */
  static final class Lookup extends HistorySource {
    private final java.time.Duration span;
    private final Supplier<Set<String>> names;

    Lookup(String spec, Supplier<Set<String>> names) {
      String v = spec.substring("lookup:".length()).trim();
      try {
        this.span =
            v.matches("\\d+h")
                ? java.time.Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)))
                : java.time.Duration.parse(v);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "lookup: takes hours (lookup:24h) or an ISO duration (lookup:P2D), not " + v);
      }
      if (span.compareTo(java.time.Duration.ofDays(90)) > 0) {
        throw new IllegalArgumentException("LookupEvents keeps 90 days; " + v + " is longer");
      }
      this.names = names;
    }

    @Override
    long size() {
      return names.get().size();
    }

    @Override
    Stream<Input> inputs() {
      java.time.Instant to = java.time.Instant.now();
      java.time.Instant from = to.minus(span);
      software.amazon.awssdk.services.cloudtrail.CloudTrailClientBuilder b =
          software.amazon.awssdk.services.cloudtrail.CloudTrailClient.builder()
              .region(
                  Region.of(
                      System.getProperty(
                          "aws.region", System.getenv().getOrDefault("AWS_REGION", "us-east-1"))))
              .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(5)));
      String endpoint =
          System.getProperty(
              "aws.endpointUrlCloudtrail", System.getenv("AWS_ENDPOINT_URL_CLOUDTRAIL"));
      if (endpoint != null && !endpoint.isBlank()) {
        b.endpointOverride(URI.create(endpoint));
      }
      List<Input> out = new ArrayList<>();
      try (var client = b.build()) {
        dev.portcullis.history.LookupEventsReader reader =
            new dev.portcullis.history.LookupEventsReader(
                client,
                new dev.portcullis.enrich.RateLimiter(
                    1.5, 1, dev.portcullis.enrich.RateLimiter.Ticker.SYSTEM),
                java.time.Duration.ofMinutes(1));
        for (String name : names.get()) {
          List<Input> of = new ArrayList<>();
          reader.read(
              name,
              from,
              to,
              Integer.MAX_VALUE,
              json -> of.add(new Input(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0)));
          if (of.isEmpty()) {
            out.add(null); // one unit of progress per name, even without events
          } else {
            of.set(of.size() - 1, new Input(of.get(of.size() - 1).bytes(), 1));
            out.addAll(of);
          }
        }
      }
      return out.stream().filter(java.util.Objects::nonNull);
    }
  }
}
