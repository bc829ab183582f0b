//! Work spread over the machine's cores, such as reading the whole overdue list. Each piece
//! runs on a scoped thread of its own; results come back in order.

/// How many threads work that reads much of the book uses: the machine's cores, at most 8.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// `f` of each item, each on a thread of its own (the first on this one), the results in the
/// items' order. A panic in one is raised again here.
pub(crate) fn in_threads<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let Some((first, others)) = items.split_first() else {
        return Vec::new();
    };
    let f = &f;
    std::thread::scope(|scope| {
        let others: Vec<_> = others
            .iter()
            .map(|item| scope.spawn(move || f(item)))
            .collect();
        let mut results = vec![f(first)];
        for other in others {
            match other.join() {
                Ok(result) => results.push(result),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_threads_keeps_the_order_of_its_items() {
        let items: Vec<u32> = (0..9).collect();
        let threads = std::sync::Mutex::new(std::collections::HashSet::new());
        let out = in_threads(&items, |&i| {
            threads.lock().unwrap().insert(std::thread::current().id());
            i * 10
        });
        assert_eq!(out, (0..9).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(
            threads.into_inner().unwrap().len(),
            9,
            "one thread per item"
        );
        assert!(in_threads(&[] as &[u32], |&i| i).is_empty());
    }

    #[test]
    #[should_panic(expected = "part 3 failed")]
    fn a_panic_in_a_thread_reaches_the_caller() {
        in_threads(&[1, 2, 3], |&i| assert!(i != 3, "part {i} failed"));
    }
}
