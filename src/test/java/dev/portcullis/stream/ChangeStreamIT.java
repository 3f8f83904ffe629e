package dev.portcullis.stream;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same stream tests against the packaged jar. */
@QuarkusIntegrationTest
class ChangeStreamIT extends ChangeStreamTest {}
