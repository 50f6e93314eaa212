import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Launcher runs an embedded Neo4j Community server with the Bolt connector on 127.0.0.1, for development, tests,
 * CI and benchmarks. It is started and stopped by tools/neo4j/neo4j.sh (make neo4j-start / neo4j-stop).
 *
 * Configuration, all through environment variables:
 *   NEO4J_PORT       Bolt port (default 7687)
 *   NEO4J_HOME_DIR   data and logs folder (required)
 *   NEO4J_AUTH       "none" (default) or "user/password", as in the official Docker image
 *   NEO4J_PAGECACHE  page cache size, e.g. "512m" (default 256m)
 *   NEO4J_TX_TIMEOUT server-side cap on any transaction, e.g. "120s" (default 300s)
 *   NEO4J_TX_MEMORY  cap on the memory of all transactions, e.g. "2g"; "0" (the default) leaves them bounded
 *                    by the heap only, so that a large import can run as one transaction
 *   NEO4J_SETTINGS   any other Neo4j settings, as "name=value" pairs separated by ";", e.g.
 *                    "db.tx_state.memory_allocation=OFF_HEAP;db.logs.query.enabled=OFF" (written to
 *                    NEO4J_HOME_DIR/settings.conf and loaded first: the variables above win)
 *
 * Once the databases are up it writes NEO4J_HOME_DIR/ready; it shuts the database down cleanly on SIGTERM.
 */
public final class Launcher {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(env("NEO4J_PORT", "7687"));
        Path home = Path.of(required("NEO4J_HOME_DIR")).toAbsolutePath();
        String auth = env("NEO4J_AUTH", "none");
        Path ready = home.resolve("ready");
        Files.deleteIfExists(ready);

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        String settings = rawSettings(env("NEO4J_SETTINGS", ""));
        if (!settings.isEmpty()) {
            Path conf = home.resolve("settings.conf");
            Files.writeString(conf, settings);
            builder.loadPropertiesFromFile(conf);
        }
        builder.setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, !auth.equals("none"))
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(env("NEO4J_PAGECACHE", "256m")))
                .setConfig(GraphDatabaseSettings.transaction_timeout, parseDuration(env("NEO4J_TX_TIMEOUT", "300s")))
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, ByteUnit.parse(env("NEO4J_TX_MEMORY", "0")));
        DatabaseManagementService dbms = builder.build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (IOException ignored) {
                // best effort: the pid file decides liveness anyway
            }
            dbms.shutdown();
            stopped.countDown();
        }));

        if (!auth.equals("none")) {
            String[] userPass = auth.split("/", 2);
            if (userPass.length != 2 || userPass[1].isEmpty()) {
                throw new IllegalArgumentException("NEO4J_AUTH must be none or user/password");
            }
            // Set the password of the initial user as the Docker image does; a no-op when it is already set.
            dbms.database("system").executeTransactionally(
                    "ALTER USER " + quoteName(userPass[0]) + " IF EXISTS SET PASSWORD $pw CHANGE NOT REQUIRED",
                    java.util.Map.of("pw", userPass[1]));
        }
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        Files.writeString(ready, Long.toString(ProcessHandle.current().pid()));
        System.out.println("neo4j ready on bolt://127.0.0.1:" + port + " home=" + home);
        stopped.await();
    }

    /** rawSettings turns NEO4J_SETTINGS ("name=value" pairs separated by ";") into the lines of a conf file. */
    private static String rawSettings(String s) {
        StringBuilder out = new StringBuilder();
        for (String pair : s.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("NEO4J_SETTINGS: \"" + pair.trim() + "\" is not name=value");
            }
            out.append(pair.substring(0, eq).trim()).append('=').append(pair.substring(eq + 1).trim()).append('\n');
        }
        return out.toString();
    }

    private static String quoteName(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    private static Duration parseDuration(String s) {
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        if (s.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(s));
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? def : v;
    }

    private static String required(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(name + " must be set");
        }
        return v;
    }
}
