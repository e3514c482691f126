package dev.intelgraph.neo4jtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;
import org.neo4j.io.ByteUnit;

/**
 * Runs an in-process Neo4j (official test harness) with Bolt on a loopback address, for tests and
 * benchmarks only. Authentication is disabled: the server binds to 127.0.0.1 and holds throwaway
 * data in a temporary directory that is deleted on shutdown.
 *
 * <p>Configuration (environment): NEO4J_TEST_HOST (default 127.0.0.1), NEO4J_TEST_BOLT_PORT
 * (default 7687), NEO4J_TEST_WORKDIR (default: a fresh temp directory), NEO4J_TEST_PAGECACHE
 * (default 256m).
 */
public final class Neo4jTestServer {
  private Neo4jTestServer() {}

  public static void main(String[] args) throws Exception {
    String host = env("NEO4J_TEST_HOST", "127.0.0.1");
    int port = Integer.parseInt(env("NEO4J_TEST_BOLT_PORT", "7687"));
    String workdir = System.getenv("NEO4J_TEST_WORKDIR");
    Path dir = workdir == null || workdir.isBlank()
        ? Files.createTempDirectory("neo4j-test-server")
        : Files.createDirectories(Path.of(workdir));
    long pageCache = ByteUnit.parse(env("NEO4J_TEST_PAGECACHE", "256m"));

    Neo4j neo4j = Neo4jBuilders.newInProcessBuilder(dir)
        .withDisabledServer()
        .withConfig(HttpConnector.enabled, false)
        .withConfig(BoltConnector.enabled, true)
        .withConfig(BoltConnector.listen_address, new SocketAddress(host, port))
        .withConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
        .withConfig(GraphDatabaseSettings.auth_enabled, false)
        .withConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
        .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("neo4j-test-server: stopping");
      neo4j.close();
      stopped.countDown();
    }, "neo4j-test-server-shutdown"));

    // run.sh waits for this line (and for the port) before reporting readiness.
    System.out.println("neo4j-test-server: ready bolt://" + host + ":" + port + " (auth disabled)");
    System.out.flush();
    stopped.await();
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
