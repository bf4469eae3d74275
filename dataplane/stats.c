/* Counter names and sums (see stats.h). */
#include "stats.h"

#include <stddef.h>

static const char *const stats_counter_names[] = {
#define X(n) #n,
	STATS_COUNTERS(X)
#undef X
};

static const char *const stats_drop_names[] = {
#define X(n) #n,
	STATS_DROPS(X)
#undef X
};

const char *stats_counter_name(unsigned i)
{
	return i < STATS_COUNT ? stats_counter_names[i] : NULL;
}

const char *stats_drop_name(unsigned i)
{
	return i < STATS_DROP_COUNT ? stats_drop_names[i] : NULL;
}

unsigned stats_drop_for(uint8_t reason, uint16_t arg)
{
	switch (reason) {
	case POLICY_R_CLASS:
		return STATS_DROP_class;
	case POLICY_R_EXCEPTION:
		if (arg < POLICY_EXC_COUNT)
			return STATS_DROP_flow_table_full + arg;
		return STATS_DROP_malformed;
	default:
		return STATS_DROP_default;
	}
}

void stats_add(struct stats *sum, const struct stats *one)
{
	unsigned i;

	for (i = 0; i < STATS_COUNT; i++)
		sum->c[i] += one->c[i];
	for (i = 0; i < STATS_DROP_COUNT; i++)
		sum->drop[i] += one->drop[i];
	for (i = 0; i < PARSE_ERR_COUNT; i++)
		sum->parse_err[i] += one->parse_err[i];
	for (i = 0; i < POLICY_CLASS_COUNT; i++)
		sum->class_drop[i] += one->class_drop[i];
	for (i = 0; i < DNS_R_COUNT; i++)
		sum->dns_bad[i] += one->dns_bad[i];
}
