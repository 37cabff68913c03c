/* Writes an ARM-template-shaped document of about N megabytes (argv[1], default 150), or
 * with argv[1] 0 of exactly argv[2] hubs, to stdout, in the Azure portal's export style: IoT hubs with routing endpoints of every
 * type, masked keys, routes, consumer groups and SecureString parameters. */
#include <stdio.h>
#include <stdlib.h>

static void hub(FILE *f, int i, int last)
{
    fprintf(f,
        "        {\n"
        "            \"type\": \"Microsoft.Devices/IotHubs\",\n"
        "            \"apiVersion\": \"2023-06-30\",\n"
        "            \"name\": \"[parameters('IotHubs_hub%06d_name')]\",\n"
        "            \"location\": \"westeurope\",\n"
        "            \"sku\": {\n"
        "                \"name\": \"S1\",\n"
        "                \"tier\": \"Standard\",\n"
        "                \"capacity\": 1\n"
        "            },\n"
        "            \"identity\": {\n"
        "                \"type\": \"None\"\n"
        "            },\n"
        "            \"properties\": {\n"
        "                \"ipFilterRules\": [],\n"
        "                \"eventHubEndpoints\": {\n"
        "                    \"events\": {\n"
        "                        \"retentionTimeInDays\": 1,\n"
        "                        \"partitionCount\": 4\n"
        "                    }\n"
        "                },\n"
        "                \"routing\": {\n"
        "                    \"endpoints\": {\n"
        "                        \"serviceBusQueues\": [\n"
        "                            {\n"
        "                                \"connectionString\": \"Endpoint=sb://ns%06d.servicebus.windows.net:5671/;SharedAccessKeyName=send;SharedAccessKey=****;EntityPath=q%d\",\n"
        "                                \"authenticationType\": \"keyBased\",\n"
        "                                \"name\": \"queue-%06d\",\n"
        "                                \"id\": \"%08x-0000-4000-8000-%012d\",\n"
        "                                \"subscriptionId\": \"00000000-1111-2222-3333-444444444444\",\n"
        "                                \"resourceGroup\": \"rg-fleet-%d\"\n"
        "                            }\n"
        "                        ],\n"
        "                        \"serviceBusTopics\": [],\n"
        "                        \"eventHubs\": [\n"
        "                            {\n"
        "                                \"connectionString\": \"Endpoint=sb://eh%06d.servicebus.windows.net:5671/;SharedAccessKeyName=send;SharedAccessKey=****;EntityPath=telemetry\",\n"
        "                                \"authenticationType\": \"keyBased\",\n"
        "                                \"name\": \"hub-%06d\",\n"
        "                                \"subscriptionId\": \"00000000-1111-2222-3333-444444444444\",\n"
        "                                \"resourceGroup\": \"rg-fleet-%d\"\n"
        "                            }\n"
        "                        ],\n"
        "                        \"storageContainers\": [\n"
        "                            {\n"
        "                                \"connectionString\": \"DefaultEndpointsProtocol=https;AccountName=st%06d;AccountKey=****\",\n"
        "                                \"containerName\": \"archive\",\n"
        "                                \"fileNameFormat\": \"{iothub}/{partition}/{YYYY}/{MM}/{DD}/{HH}/{mm}\",\n"
        "                                \"batchFrequencyInSeconds\": 100,\n"
        "                                \"maxChunkSizeInBytes\": 104857600,\n"
        "                                \"encoding\": \"avro\",\n"
        "                                \"name\": \"store-%06d\"\n"
        "                            }\n"
        "                        ]\n"
        "                    },\n"
        "                    \"routes\": [\n"
        "                        {\n"
        "                            \"name\": \"to-queue\",\n"
        "                            \"source\": \"DeviceMessages\",\n"
        "                            \"condition\": \"$body.level = 'critical'\",\n"
        "                            \"endpointNames\": [\n"
        "                                \"queue-%06d\"\n"
        "                            ],\n"
        "                            \"isEnabled\": true\n"
        "                        },\n"
        "                        {\n"
        "                            \"name\": \"archive\",\n"
        "                            \"source\": \"DeviceMessages\",\n"
        "                            \"condition\": \"true\",\n"
        "                            \"endpointNames\": [\n"
        "                                \"store-%06d\"\n"
        "                            ],\n"
        "                            \"isEnabled\": true\n"
        "                        }\n"
        "                    ],\n"
        "                    \"fallbackRoute\": {\n"
        "                        \"name\": \"$fallback\",\n"
        "                        \"source\": \"DeviceMessages\",\n"
        "                        \"condition\": \"true\",\n"
        "                        \"endpointNames\": [\n"
        "                            \"events\"\n"
        "                        ],\n"
        "                        \"isEnabled\": true\n"
        "                    }\n"
        "                },\n"
        "                \"storageEndpoints\": {\n"
        "                    \"$default\": {\n"
        "                        \"sasTtlAsIso8601\": \"PT1H\",\n"
        "                        \"connectionString\": \"[parameters('hub%06d_connectionString')]\",\n"
        "                        \"containerName\": \"[parameters('hub%06d_containerName')]\"\n"
        "                    }\n"
        "                },\n"
        "                \"messagingEndpoints\": {\n"
        "                    \"fileNotifications\": {\n"
        "                        \"lockDurationAsIso8601\": \"PT1M\",\n"
        "                        \"ttlAsIso8601\": \"PT1H\",\n"
        "                        \"maxDeliveryCount\": 10\n"
        "                    }\n"
        "                },\n"
        "                \"enableFileUploadNotifications\": false,\n"
        "                \"features\": \"None\",\n"
        "                \"minTlsVersion\": \"1.2\"\n"
        "            }\n"
        "        }%s\n",
        i, i, i % 7, i, (unsigned)i * 2654435761u, i, i % 97, i, i, i % 97, i, i, i, i, i, i,
        last ? "" : ",");
}

int main(int argc, char **argv)
{
    long mb = argc > 1 ? atol(argv[1]) : 150;
    /* One hub is about 5.1 KB in this layout. */
    int hubs = (int)(mb * 1000000L / 5100);
    if (mb == 0 && argc > 2)
        hubs = atoi(argv[2]);
    if (hubs < 1)
        hubs = 1;
    FILE *f = stdout;
    fprintf(f, "{\n    \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n"
               "    \"contentVersion\": \"1.0.0.0\",\n    \"parameters\": {\n");
    for (int i = 0; i < hubs; i++)
        fprintf(f,
                "        \"IotHubs_hub%06d_name\": {\n            \"defaultValue\": \"hub%06d\",\n            \"type\": \"String\"\n        },\n"
                "        \"hub%06d_connectionString\": {\n            \"type\": \"SecureString\"\n        },\n"
                "        \"hub%06d_containerName\": {\n            \"type\": \"SecureString\"\n        }%s\n",
                i, i, i, i, i + 1 < hubs ? "," : "");
    fprintf(f, "    },\n    \"variables\": {},\n    \"resources\": [\n");
    for (int i = 0; i < hubs; i++)
        hub(f, i, i + 1 == hubs);
    fprintf(f, "    ]\n}\n");
    return 0;
}
