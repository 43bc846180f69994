/* librdkafka's in-memory mock cluster (rdkafka_mock.h) as a reference broker
 * for the end-to-end benchmarks (bench/run_matrix.sh).
 *
 *   mock_cluster [TOPIC:PARTITIONS ...]
 *
 * Starts one mock broker, creates the named topics (the mock does not serve
 * the CreateTopics API, so conveyor_load cannot create them), prints the
 * bootstrap address ("127.0.0.1:<port>") on stdout and runs until SIGTERM or
 * SIGINT. The mock keeps every record in memory and never touches a disk.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The cluster lives inside a client handle that never produces; log_level 3
   * silences the warning about its missing bootstrap.servers. */
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
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
  for (int i = 1; i < argc; ++i) {
    char *colon = strrchr(argv[i], ':');
    int partitions = colon != NULL ? atoi(colon + 1) : 1;
    if (colon != NULL) *colon = '\0';
    if (partitions < 1 || rd_kafka_mock_topic_create(cluster, argv[i], partitions, 1) !=
                              RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "mock_cluster: cannot create topic %s\n", argv[i]);
      return 1;
    }
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
