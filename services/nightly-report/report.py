import os


def main() -> None:
    task = int(os.environ.get("CLOUD_RUN_TASK_INDEX", "0"))
    count = int(os.environ.get("CLOUD_RUN_TASK_COUNT", "1"))
    print(f"building report shard {task + 1} of {count} into {os.environ.get('REPORT_BUCKET')}")


if __name__ == "__main__":
    main()
