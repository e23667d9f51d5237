package io.segstream.connectors.models;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * {@code s3://bucket/key} URIs through the AWS SDK for Java v2: AWS S3, or any S3-compatible store (MinIO, Ceph,
 * S3Proxy) with {@link ModelStoreOptions#s3Endpoint()}. Checksums are only sent and checked where S3 requires
 * them, which every S3-compatible store understands; the model's own SHA-256 is what proves the bytes.
 */
final class S3Blobs implements BlobAccess {
    private final S3Client client;

    S3Blobs(ModelStoreOptions options) {
        this.client = clientBuilder(options).build();
    }

    /** The client configuration the options ask for; separate so that tests can check it without a network. */
    static S3ClientBuilder clientBuilder(ModelStoreOptions options) {
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(options.timeout())
                        .socketTimeout(options.timeout()))
                .forcePathStyle(options.s3PathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(options.s3Anonymous()
                        ? AnonymousCredentialsProvider.create()
                        : DefaultCredentialsProvider.builder().build());
        options.endpoint().ifPresent(e -> b.endpointOverride(URI.create(e)));
        if (!options.s3Region().isEmpty()) {
            b.region(Region.of(options.s3Region()));
        } else if (options.endpoint().isPresent()) {
            // S3-compatible stores ignore the region but the SDK signs with one; without AWS_REGION take the usual
            b.region(regionFromEnvironmentOr(Region.US_EAST_1));
        }
        return b;
    }

    private static Region regionFromEnvironmentOr(Region fallback) {
        String env = System.getenv("AWS_REGION");
        return env == null || env.isBlank() ? fallback : Region.of(env);
    }

    @Override
    public InputStream read(URI file) throws IOException {
        S3Location at = S3Location.parse(file);
        try {
            return client.getObject(GetObjectRequest.builder().bucket(at.bucket()).key(at.key()).build(),
                    ResponseTransformer.toInputStream());
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            throw new NoSuchFileException(file.toString(), null, e.awsErrorDetails().errorMessage());
        } catch (SdkException e) {
            throw new IOException("S3 GET " + file + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(URI file, Path source) throws IOException {
        S3Location at = S3Location.parse(file);
        try {
            client.putObject(PutObjectRequest.builder().bucket(at.bucket()).key(at.key())
                    .contentType("application/octet-stream").build(), RequestBody.fromFile(source));
        } catch (SdkException e) {
            throw new IOException("S3 PUT " + file + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "S3 store";
    }

    @Override
    public void close() {
        client.close();
    }
}
