/* A one-broker Kafka cluster from librdkafka's built-in mock (rdkafka_mock.h),
 * the upstream that capture_proxy.py forwards client requests to.
 *
 * Prints the bootstrap address ("127.0.0.1:<port>") on stdout, then runs until
 * SIGTERM or SIGINT. The topic "golden" (1 partition) exists from the start so
 * that produce and fetch need no auto-creation.
 *
 * Build: cc -O1 -o mock_cluster mock_cluster.c $(pkg-config --cflags --libs rdkafka)
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  const char *topic = argc > 1 ? argv[1] : "golden";
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The mock cluster lives inside a client handle; this one never produces. */
  /* log_level 3: no warning about the missing bootstrap.servers. */
  if (rd_kafka_conf_set(conf, "client.id", "conveyor-golden-mock", errstr, sizeof(errstr)) !=
          RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "mock_cluster: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == NULL) {
    fprintf(stderr, "mock_cluster: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, 1);
  if (cluster == NULL) {
    fprintf(stderr, "mock_cluster: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  if (rd_kafka_mock_topic_create(cluster, topic, 1, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fprintf(stderr, "mock_cluster: cannot create topic %s\n", topic);
  }

  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);
  while (!stop) pause();

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
